"""SKU mappings out of and back into the admin as CSV and XLSX, and the duplicate-barcode error.

The admin flow is the real one: the export form, then the import form and its confirmation.
"""

import csv
import io

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profiles.models import SkuMapping
from profiles.resources import SkuMappingResource
from profiles.roles import ADMIN, assign_role
from tests.builders import build_client, build_mapping

pytestmark = pytest.mark.django_db

FORMATS = {"csv": "0", "xlsx": "1"}  # positions in SkuMappingAdmin.formats
IMPORT_URL = reverse("admin:profiles_skumapping_import")
CONFIRM_URL = reverse("admin:profiles_skumapping_process_import")
EXPORT_URL = reverse("admin:profiles_skumapping_export")


@pytest.fixture
def ada_client(client):
    user = User.objects.create_user("ada", password="pw-123456")
    client.force_login(assign_role(user, ADMIN))
    return client


@pytest.fixture
def mappings():
    acme, beta = build_client("ACME"), build_client("BETA")
    build_mapping(acme, "7290018664100", "INTERNAL-SKU-1")
    build_mapping(acme, "7290018664117", "INTERNAL-SKU-1")  # two barcodes, one SKU
    build_mapping(acme, "ABC-12", "Крем за ръце")
    build_mapping(beta, "7290018664100", "B-1")  # the same barcode for another client
    return acme, beta


def current():
    return set(SkuMapping.objects.values_list("client__code", "barcode", "sku"))


def export(ada_client, fmt):
    response = ada_client.post(EXPORT_URL, {
        "format": FORMATS[fmt], "resource": "0", "skumappingresource_client": "on",
        "skumappingresource_barcode": "on", "skumappingresource_sku": "on",
    })
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment"), "export form refused"
    return b"".join(response.streaming_content) if response.streaming else response.content


def import_file(ada_client, fmt, content):
    """Upload, and confirm when the preview has no error; returns the preview response."""
    upload = SimpleUploadedFile(f"mappings.{fmt}", content)
    preview = ada_client.post(IMPORT_URL, {"format": FORMATS[fmt], "resource": "0",
                                             "import_file": upload})
    assert preview.status_code == 200
    confirm = preview.context.get("confirm_form")
    if confirm is not None:
        done = ada_client.post(CONFIRM_URL, confirm.initial)
        assert done.status_code == 302
    return preview


def csv_bytes(rows):
    data = tablib.Dataset(headers=["client", "barcode", "sku"])
    for row in rows:
        data.append(row)
    return data.export("csv").encode()


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["client", "barcode", "sku"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trip_restores_every_mapping(ada_client, mappings, fmt):
    before = current()
    content = export(ada_client, fmt)
    if fmt == "csv":
        assert content.decode("utf-8-sig").splitlines()[0] == "client,barcode,sku"
        assert "Крем за ръце" in content.decode("utf-8-sig")
    SkuMapping.objects.all().delete()
    preview = import_file(ada_client, fmt, content)
    assert not preview.context["result"].has_errors()
    assert current() == before
    # Importing the same file again changes nothing and writes no history.
    history = SkuMapping.history.count()
    preview = import_file(ada_client, fmt, content)
    assert preview.context["result"].totals["skip"] == len(before)
    assert current() == before and SkuMapping.history.count() == history


def test_xlsx_numeric_barcodes_import_as_digits(ada_client, mappings):
    import_file(ada_client, "xlsx", xlsx_bytes([("ACME", 4006381333931, "PEN-1")]))
    assert SkuMapping.objects.get(barcode="4006381333931").sku == "PEN-1"


def test_headers_typed_by_hand_are_matched_without_case_or_spaces(ada_client, mappings):
    data = tablib.Dataset(("ACME", "777", "HAND-1"), headers=["Client", " Barcode ", "SKU"])
    import_file(ada_client, "csv", data.export("csv").encode())
    assert SkuMapping.objects.get(barcode="777").sku == "HAND-1"


def test_a_row_with_a_known_barcode_updates_its_sku(ada_client, mappings):
    import_file(ada_client, "csv", csv_bytes([("ACME", "ABC-12", "NEW-SKU")]))
    assert SkuMapping.objects.get(client__code="ACME", barcode="ABC-12").sku == "NEW-SKU"


def test_duplicate_barcode_inside_the_file_names_the_rows(ada_client, mappings):
    before = current()
    rows = [("ACME", "111-222", "A"), ("ACME", "999", "B"), ("acme", "111222", "C")]
    preview = import_file(ada_client, "csv", csv_bytes(rows))
    page = preview.content.decode()
    assert "Line 3: duplicate barcode “111222” for client ACME" in page
    assert "line 1 already has “111-222”" in page
    assert preview.context["result"].has_validation_errors()
    assert current() == before  # nothing of the file was saved


def test_duplicate_barcode_against_the_database_names_the_row_and_the_mapping(
        ada_client, mappings):
    before = current()
    rows = [("ACME", "555", "OK"), ("ACME", "abc12", "OTHER")]
    preview = import_file(ada_client, "xlsx", xlsx_bytes(rows))
    page = preview.content.decode()
    assert "Line 2: duplicate barcode “abc12” for client ACME" in page
    assert "“ABC-12” → Крем за ръце is already mapped" in page
    assert current() == before


def test_unknown_client_and_empty_cells_are_row_errors(ada_client, mappings):
    rows = [("NOPE", "123", "A"), ("ACME", "--", "B"), ("ACME", "124", "")]
    result = SkuMappingResource().import_data(tablib.Dataset(
        *rows, headers=["client", "barcode", "sku"]), dry_run=True)
    messages = [" ".join(row.error.messages) for row in result.invalid_rows]
    assert messages == [
        "Line 1: unknown client code “NOPE”.",
        "Line 2: the barcode “--” has no letter or digit.",
        "Line 3: barcode “124” has no SKU.",
    ]


def test_a_file_without_the_columns_is_refused(ada_client, mappings):
    data = tablib.Dataset(("ACME", "1"), headers=["client", "code"])
    result = SkuMappingResource().import_data(data, dry_run=True)
    assert result.has_errors()
    assert "missing: barcode, sku" in str(result.base_errors[0].error)


def test_supervisors_may_export_but_not_import(client, mappings):
    from profiles.roles import SUPERVISOR

    user = User.objects.create_user("sue", password="pw-123456")
    client.force_login(assign_role(user, SUPERVISOR))
    assert client.get(EXPORT_URL).status_code == 200
    assert client.get(IMPORT_URL).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_never_writes_a_live_formula_and_round_trips(ada_client, fmt):
    """Issue 10, item 7: a packer had mapped `=cmd|' /C calc'!A0`."""
    acme = build_client("ACME")
    hostile = "=cmd|' /C calc'!A0"
    build_mapping(acme, "4006381333931", hostile)
    build_mapping(acme, "@SUM(1+1)", "+PLUS")
    content = export(ada_client, fmt)
    if fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
        # The one "=" a cell may start with is the text form of a numeric code (issue 15):
        # a constant string, made by the exporter, never text from outside.
        assert '="4006381333931"' in cells
        cells = [c for c in cells if c != '="4006381333931"']
        assert not any(str(c).startswith(("=", "+", "-", "@")) for c in cells), cells
        assert "'=cmd|' /C calc'!A0" in cells
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cells = [c for row in sheet.iter_rows() for c in row]
        assert all(c.data_type == "s" for c in cells)
        # Formula-like text is kept exactly, as text with Excel's quote prefix.
        risky = [c for c in cells if str(c.value).startswith(("=", "+", "-", "@"))]
        assert {c.value for c in risky} == {hostile, "@SUM(1+1)", "+PLUS"}
        assert all(c.quotePrefix for c in risky)
    before = current()
    SkuMapping.objects.all().delete()
    import_file(ada_client, fmt, content)
    assert current() == before


# ---------------------------------------------------------------- packaging barcodes (issue 13)

def quantity_csv(rows, headers=("client", "barcode", "sku", "quantity")):
    data = tablib.Dataset(headers=list(headers))
    for row in rows:
        data.append(row)
    return data.export("csv").encode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_quantity_goes_out_and_comes_back(ada_client, mappings, fmt):
    acme = mappings[0]
    SkuMapping.objects.create(client=acme, barcode="6PACK-1", sku="INTERNAL-SKU-1", quantity=6)
    response = ada_client.post(EXPORT_URL, {
        "format": FORMATS[fmt], "resource": "0", "skumappingresource_client": "on",
        "skumappingresource_barcode": "on", "skumappingresource_sku": "on",
        "skumappingresource_quantity": "on",
    })
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        lines = content.decode("utf-8-sig").splitlines()
        assert lines[0] == "client,barcode,sku,quantity"
        assert "ACME,6PACK-1,INTERNAL-SKU-1,6" in lines
    SkuMapping.objects.all().delete()
    preview = import_file(ada_client, fmt, content)
    assert not preview.context["result"].has_errors()
    assert SkuMapping.objects.get(barcode="6PACK-1").quantity == 6
    assert SkuMapping.objects.get(barcode="ABC-12").quantity == 1


def test_import_sets_and_changes_a_quantity_and_keeps_it_without_the_column(ada_client, mappings):
    import_file(ada_client, "csv", quantity_csv([("ACME", "12PACK", "INTERNAL-SKU-1", "12"),
                                                 ("ACME", "ABC-12", "Крем за ръце", "")]))
    assert SkuMapping.objects.get(barcode="12PACK").quantity == 12
    assert SkuMapping.objects.get(barcode="ABC-12").quantity == 1
    import_file(ada_client, "csv", quantity_csv([("ACME", "12PACK", "INTERNAL-SKU-1", "24")]))
    assert SkuMapping.objects.get(barcode="12PACK").quantity == 24
    import_file(ada_client, "csv", csv_bytes([("ACME", "12PACK", "OTHER-SKU")]))
    mapping = SkuMapping.objects.get(barcode="12PACK")
    assert (mapping.sku, mapping.quantity) == ("OTHER-SKU", 24)


@pytest.mark.parametrize("bad", ["0", "-3", "2.5", "six"])
def test_a_quantity_that_is_not_a_whole_number_from_one_is_refused(ada_client, mappings, bad):
    before = current()
    preview = import_file(ada_client, "csv", quantity_csv([("ACME", "PACK-X", "A", bad)]))
    assert f"Line 1: barcode “PACK-X” has quantity “{bad}”" in preview.content.decode()
    assert current() == before


@pytest.mark.parametrize("barcode", ["CMD:SKIP", "cmd:undo", " CMD:NEW-BOX"])
def test_import_refuses_a_barcode_with_the_command_prefix(ada_client, mappings, barcode):
    before = current()
    preview = import_file(ada_client, "csv", csv_bytes([("ACME", barcode, "A")]))
    page = preview.content.decode()
    assert "the prefix of station commands" in page
    assert current() == before


def test_admin_edits_the_quantity(ada_client, mappings):
    mapping = SkuMapping.objects.get(barcode="ABC-12")
    url = reverse("admin:profiles_skumapping_change", args=[mapping.pk])
    page = ada_client.get(url)
    assert 'name="quantity"' in page.content.decode()
    response = ada_client.post(url, {"client": mapping.client_id, "barcode": "ABC-12",
                                     "sku": mapping.sku, "quantity": "6"})
    assert response.status_code == 302
    assert SkuMapping.objects.get(pk=mapping.pk).quantity == 6
    refused = ada_client.post(url, {"client": mapping.client_id, "barcode": "ABC-12",
                                    "sku": mapping.sku, "quantity": "0"})
    assert refused.status_code == 200 and SkuMapping.objects.get(pk=mapping.pk).quantity == 6
    command = ada_client.post(url, {"client": mapping.client_id, "barcode": "CMD:SKIP",
                                    "sku": mapping.sku, "quantity": "1"})
    assert command.status_code == 200 and "station command" in command.content.decode()
