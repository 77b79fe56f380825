"""CSV / XLSX import and export of SKU mappings (django-import-export, used by the admin).

A file has the columns `client` (the client code), `barcode` and `sku`, and optionally `quantity`
(the units one scan of a packaging barcode packs; an empty cell is 1, and without the column a
mapping keeps its quantity); a row is keyed by client code + barcode, so exporting and
importing the same file changes nothing, and a row whose barcode is already mapped updates that
mapping's SKU and quantity. A barcode with the command prefix (`CMD:`) is refused: it is a
station command, never an item.

Two barcodes that differ only in punctuation or case scan as the same code (profiles.normalize),
so the import refuses, row by row and before anything is saved, a barcode that collides after
normalisation with an earlier row of the file or with a different barcode already mapped for the
client. The database constraint would refuse it too, but with a message nobody could act on.

The files are written by the one sheet writer (`profiles.spreadsheets`, through `MappingCSV` and
`MappingXLSX`): widths, frozen header, autofilter, barcodes and SKUs kept as text (a numeric
barcode in the CSV as ="7290018664100", read back as the barcode), no cell ever a formula.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX
from import_export.widgets import ForeignKeyWidget

from profiles.models import Client, SkuMapping
from profiles.normalize import is_command_code, normalize_barcode
from profiles.spreadsheets import (
    add_sheet,
    csv_text,
    new_workbook,
    restored,
    workbook_bytes,
)

COLUMNS = ("client", "barcode", "sku")  # required in a file
EXPORTED = (*COLUMNS, "quantity")
QUANTITY_MAX = 100_000
CODE_COLUMNS = ("client", "barcode", "sku")


class MappingCSV(CSV):
    """CSV written by the one sheet writer (codes kept as text, never a formula)."""

    def export_data(self, dataset, **kwargs):
        return csv_text(list(dataset.headers or []), dataset, codes=CODE_COLUMNS)


class MappingXLSX(XLSX):
    """XLSX written by the one sheet writer (widths, frozen header, filter, codes as text)."""

    def export_data(self, dataset, **kwargs):
        wb = new_workbook()
        add_sheet(wb, "SKU mappings", list(dataset.headers or []), dataset, codes=CODE_COLUMNS)
        return workbook_bytes(wb)


def _text(value):
    """A cell as text: spreadsheets give numbers for numeric barcodes (7290018664100.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restored(str(value).strip())


class FieldDiff(resources.Diff):
    """The import preview per field: `old → new`, whole values. The default character diff
    showed DC-MC-100 → DC-HC-050 as "DC-MHC-1050"."""

    def as_html(self):
        cells = []
        for old, new in zip(self.left, self.right):
            old = "" if self.new else str(old or "")
            new = str(new or "")
            if old == new:
                cells.append(format_html("{}", new))
            elif not old:
                cells.append(format_html('<ins class="new">{}</ins>', new))
            else:
                cells.append(format_html('<del class="old">{}</del> → <ins class="new">{}</ins>',
                                         old, new))
        return cells


def _quantity(value, barcode, line):
    """Units per scan: a whole number from 1 (an empty cell or a missing column is 1)."""
    text = _text(value)
    if not text:
        return 1
    try:
        number = float(text)
    except ValueError:
        number = 0.0
    if not number.is_integer() or not 1 <= number <= QUANTITY_MAX:
        raise ValidationError(
            _("Line %(line)d: barcode “%(barcode)s” has quantity “%(quantity)s”; a quantity is "
              "a whole number of units from 1 to %(max)d.")
            % {"line": line, "barcode": barcode, "quantity": text, "max": QUANTITY_MAX}
        )
    return int(number)


class SkuMappingResource(resources.ModelResource):
    client = fields.Field(
        attribute="client", column_name="client", widget=ForeignKeyWidget(Client, "code")
    )
    barcode = fields.Field(attribute="barcode", column_name="barcode")
    sku = fields.Field(attribute="sku", column_name="sku")
    quantity = fields.Field(attribute="quantity", column_name="quantity")

    class Meta:
        model = SkuMapping
        fields = EXPORTED
        import_id_fields = ("client", "barcode")
        export_order = EXPORTED
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_diff_class(self):
        return FieldDiff

    def get_queryset(self):
        return SkuMapping.objects.select_related("client").order_by("client__code", "barcode")

    def before_import(self, dataset, **kwargs):
        """Refuse a file without the three columns; reset the in-file duplicate tracker.

        Headers typed by hand ("Barcode ", "SKU") are matched without case or spaces.
        """
        if dataset.headers:
            dataset.headers = [str(h or "").strip().lower() for h in dataset.headers]
        missing = [c for c in COLUMNS if c not in (dataset.headers or [])]
        if missing:
            raise ValidationError(
                _("The file needs the columns %(columns)s; missing: %(missing)s.")
                % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
            )
        self._seen = {}
        self._clients = {}

    def before_import_row(self, row, row_number=None, **kwargs):
        """Clean the row's cells and refuse unknown clients and duplicate barcodes."""
        line = row_number or 0
        code = _text(row.get("client")).upper()
        barcode = _text(row.get("barcode"))
        sku = _text(row.get("sku"))
        row["client"], row["barcode"], row["sku"] = code, barcode, sku
        if "quantity" in row:  # without the column a mapping keeps its quantity (new: 1)
            row["quantity"] = _quantity(row.get("quantity"), barcode, line)
        client = self._client(code, line)
        normalized = normalize_barcode(barcode)
        if not normalized:
            raise ValidationError(
                _("Line %(line)d: the barcode “%(barcode)s” has no letter or digit.")
                % {"line": line, "barcode": barcode}
            )
        if not sku:
            raise ValidationError(
                _("Line %(line)d: barcode “%(barcode)s” has no SKU.")
                % {"line": line, "barcode": barcode}
            )
        if is_command_code(barcode):
            raise ValidationError(
                _("Line %(line)d: the barcode “%(barcode)s” starts with %(prefix)s, the prefix of "
                  "station commands; it can never be an item.")
                % {"line": line, "barcode": barcode, "prefix": settings.PACKER_COMMAND_PREFIX}
            )
        self._refuse_duplicate_in_file(client, barcode, normalized, line)
        self._refuse_duplicate_in_db(client, barcode, normalized, line)

    def _client(self, code, line):
        if code not in self._clients:
            self._clients[code] = Client.objects.filter(code=code).first()
        if self._clients[code] is None:
            raise ValidationError(
                _("Line %(line)d: unknown client code “%(code)s”.") % {"line": line, "code": code}
            )
        return self._clients[code]

    def _refuse_duplicate_in_file(self, client, barcode, normalized, line):
        key = (client.pk, normalized)
        if key in self._seen:
            first_line, first_barcode = self._seen[key]
            raise ValidationError(
                _(
                    "Line %(line)d: duplicate barcode “%(barcode)s” for client %(client)s — "
                    "line %(first)d already has “%(first_barcode)s”, which scans the same."
                )
                % {"line": line, "barcode": barcode, "client": client.code,
                   "first": first_line, "first_barcode": first_barcode}
            )
        self._seen[key] = (line, barcode)

    def _refuse_duplicate_in_db(self, client, barcode, normalized, line):
        clash = (
            SkuMapping.objects.filter(client=client, normalized_barcode=normalized)
            .exclude(barcode=barcode)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                _(
                    "Line %(line)d: duplicate barcode “%(barcode)s” for client %(client)s — "
                    "“%(existing)s” → %(sku)s is already mapped and scans the same."
                )
                % {"line": line, "barcode": barcode, "client": client.code,
                   "existing": clash.barcode, "sku": clash.sku}
            )
