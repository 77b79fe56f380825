"""Column mapping: which column of a file is which standard column, remembered per client.

The old app asked on every load and never stored the answer; here the choice is kept in
`profiles.ColumnMapping` under a key of the file's header row, so the next file of the same
shape imports in one step.

Five standard columns are required (Courier not, when the client has a default courier);
Notes, Tags and Country are optional and, when chosen, are stored on the order like the
Shopify importer does, so the station shows them. The mapping step pre-selects obvious headers
in English, Ukrainian and Bulgarian (`guess_mapping`).
"""

import hashlib
import re

from django.utils.translation import gettext as _

from profiles.models import ColumnMapping
from sessions.errors import ImportRejected

STANDARD_COLUMNS = ("Order_Number", "SKU", "Product_Name", "Quantity", "Courier")
OPTIONAL_COLUMNS = ("Notes", "Tags", "Country")
ALL_COLUMNS = STANDARD_COLUMNS + OPTIONAL_COLUMNS
KEY_MAX = 2000

# Headers that obviously mean a column, squashed (case folded, letters and digits only), in
# English, Bulgarian and Ukrainian (and the Russian the same sheets often carry).
HEADER_ALIASES = {
    "Order_Number": ("ordernumber", "order", "orderno", "ordernr", "orderid", "ordername",
                     "поръчка", "номерпоръчка", "поръчкаno", "номернапоръчка", "замовлення",
                     "номерзамовлення", "заказ", "номерзаказа"),
    "SKU": ("sku", "article", "articleno", "itemcode", "productcode", "артикул", "код",
            "кодартикул", "кодтовару", "кодпродукт", "артикулномер"),
    "Product_Name": ("productname", "product", "name", "title", "itemname", "description",
                     "продукт", "име", "наименование", "имепродукт", "описание", "назва",
                     "назватовару", "найменування", "товар", "опис"),
    "Quantity": ("quantity", "qty", "pcs", "count", "units", "бр", "брой", "количество",
                 "кол", "кількість", "ксть", "шт", "штук"),
    "Courier": ("courier", "carrier", "shipping", "shippingmethod", "куриер", "спедитор",
                "кур'єр", "перевізник", "службадоставки",
                "перевозчик"),
    "Notes": ("notes", "note", "comment", "comments", "remarks", "бележка", "бележки",
              "коментар", "коментари", "примітка", "примітки", "коментарі", "примечание"),
    "Tags": ("tags", "tag", "labels", "тагове", "таг", "етикети", "теги", "тег",
             "мітки", "мітка"),
    "Country": ("country", "destinationcountry", "shippingcountry", "държава", "страна",
                "країна", "країнадоставки", "държаванадоставка"),
}


TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ t_]\d{2}[:-]\d{2}([:-]\d{2})?$")
FILE_NAME_RE = re.compile(r"\.(xlsx|xlsm|xls|csv)$")


def header_shape(header):
    """A header as it counts for the file's shape.

    The Shopify Tool's printable lists put the generation time and the file name into two
    header cells (legacy-formats.md §11.3), so every such file would look new; those cells
    count as the placeholders {timestamp} and {file name}.
    """
    text = header.strip().casefold()
    if TIMESTAMP_RE.match(text):
        return "{timestamp}"
    if FILE_NAME_RE.search(text):
        return "{file name}"
    return text


def headers_key(headers):
    """Deterministic key of a header row: header shapes, sorted, joined.

    Sorting makes a file with the same columns in another order reuse the mapping (the mapping
    names columns, not positions). Very wide sheets fall back to a SHA-256 of that text.
    """
    text = "\x1f".join(sorted(header_shape(h) for h in headers))
    if len(text) <= KEY_MAX:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def required_columns(default_courier=""):
    """The standard columns a file must have; Courier not when the client has a default."""
    return tuple(c for c in STANDARD_COLUMNS if not (c == "Courier" and default_courier))


def missing_standard(headers, default_courier=""):
    present = set(headers)
    return [col for col in required_columns(default_courier) if col not in present]


def parse_map_option(text):
    """`Order_Number=Order No,SKU=Article` (the command's --map) → dict; errors name the part."""
    mapping = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        standard, sep, column = part.partition("=")
        if not sep:
            raise ImportRejected([{"row": None, "column": None, "message": _(
                "'%(part)s' is not of the form Standard=Column.") % {"part": part}}])
        mapping[standard.strip()] = column.strip()
    return mapping


def validate_mapping(mapping, headers, default_courier=""):
    """Every required column chosen, each an existing column, no column chosen twice.

    Optional columns (Notes, Tags, Country, and Courier with a default courier) may be left
    out. Returns the chosen columns only.
    """
    problems = []
    chosen = {}
    required = required_columns(default_courier)
    for standard in ALL_COLUMNS:
        column = (mapping or {}).get(standard, "")
        if not column:
            if standard in required:
                problems.append({"row": None, "column": standard,
                                 "message": _("Choose the file's column for %(std)s.")
                                 % {"std": standard}})
        elif column not in headers:
            problems.append({"row": None, "column": standard,
                             "message": _("The file has no column '%(col)s'.") % {"col": column}})
        elif column in chosen:
            problems.append({"row": None, "column": standard, "message": _(
                "Column '%(col)s' is already used for %(other)s; each standard column needs "
                "its own.") % {"col": column, "other": chosen[column]}})
        else:
            chosen[column] = standard
    unknown = set(mapping or {}) - set(ALL_COLUMNS)
    for name in sorted(unknown):
        problems.append({"row": None, "column": name, "message": _(
            "'%(name)s' is not a standard column (%(all)s).")
            % {"name": name, "all": ", ".join(ALL_COLUMNS)}})
    if problems:
        raise ImportRejected(problems)
    return {std: mapping[std] for std in ALL_COLUMNS if mapping.get(std)}


def remembered_mapping(client, headers, default_courier=""):
    """The client's stored mapping for this header shape, translated to this file's headers.

    A stored column that is a placeholder ({timestamp}, {file name}) maps to this file's
    header of the same shape. None when no mapping is stored or a required column no longer
    fits; an optional column that no longer fits is left out.
    """
    row = ColumnMapping.objects.filter(client=client, headers_key=headers_key(headers)).first()
    if row is None:
        return None
    by_shape = {}
    for header in headers:
        by_shape.setdefault(header_shape(header), []).append(header)
    required = required_columns(default_courier)
    mapping = {}
    for standard in ALL_COLUMNS:
        column = row.mapping.get(standard, "")
        if column and column not in headers:
            same = by_shape.get(header_shape(column), [])
            column = same[0] if len(same) == 1 else None
        if column:
            mapping[standard] = column
        elif standard in required:
            return None
    return mapping


def remember_mapping(client, headers, mapping):
    ColumnMapping.objects.update_or_create(
        client=client, headers_key=headers_key(headers),
        defaults={"headers": list(headers), "mapping": dict(mapping)},
    )


def resolve_mapping(client, headers, mapping=None, default_courier=""):
    """(mapping, remember?) — explicit mapping, else standard headers, else remembered one.

    A file with the standard headers also gets the optional columns it obviously has (Notes,
    Tags, Country by their usual names). Returns (None, False) when the file needs a mapping
    step.
    """
    if mapping:
        return validate_mapping(mapping, headers, default_courier), True
    if not missing_standard(headers, default_courier):
        found = {s: s for s in STANDARD_COLUMNS if s in headers}
        guessed = guess_mapping(headers)
        found.update({s: guessed[s] for s in OPTIONAL_COLUMNS
                      if guessed[s] and guessed[s] not in found.values()})
        return found, False
    remembered = remembered_mapping(client, headers, default_courier)
    if remembered:
        return remembered, False
    return None, False


def squash(text):
    """A header as compared with the aliases: case folded, only letters and digits."""
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def guess_mapping(headers):
    """Pre-selection for the mapping form: a header that obviously means a column.

    A header equal to the column's name, ignoring case, spaces and punctuation ('order number'
    → Order_Number), or one of its usual names in English, Bulgarian or Ukrainian ("Поръчка",
    "Замовлення", "Qty", "Бр.", "Carrier" …). Each header is guessed for one column at most.
    """
    by_squash = {}
    for header in headers:
        by_squash.setdefault(squash(header), header)
    guess, used = {}, set()
    for standard in ALL_COLUMNS:
        names = (squash(standard), *(squash(a) for a in HEADER_ALIASES.get(standard, ())))
        header = next((by_squash[n] for n in names if n in by_squash
                       and by_squash[n] not in used), "")
        guess[standard] = header
        if header:
            used.add(header)
    return guess
