"""The one sheet writer (profiles.spreadsheets) and every export that uses it (issue 15).

Each export is opened as a spreadsheet program would: openpyxl for xlsx (widths, frozen header,
autofilter, cell types), the csv module for CSV (codes kept as text).
"""

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from profiles.roles import ADMIN, assign_role
from profiles.spreadsheets import (
    MAX_WIDTH,
    Row,
    add_sheet,
    csv_code,
    csv_text,
    new_workbook,
    restored,
    workbook_bytes,
)
from sessions.reports import completion_report
from stats.exports import SCAN_COLUMNS, history_csv, history_xlsx
from tests.builders import build_client, build_mapping
from tests.reports_builders import T0, make_list, make_order, scan

LONG_NAME = "Шампоан против пърхот с екстракт от коприва и масло от чаено дърво 400 мл"


def _sheet(content, title=None):
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return wb[title] if title else wb.worksheets[0]


def _width(ws, letter):
    return ws.column_dimensions[letter].width


def _assert_table_shape(ws):
    """Frozen header row and an autofilter over the whole table."""
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}" \
        f"{ws.max_row}"


# ---------------------------------------------------------------- the helper itself

def test_widths_follow_the_content_capped_header_frozen_and_filtered():
    wb = new_workbook()
    add_sheet(wb, "T", ["Id", "Name", "Note"], [
        [1, "Крем за ръце 50 мл", "x" * 500],
        Row([2, "Балсам", "short"], fill=openpyxl.styles.PatternFill("solid", "C6EFCE")),
    ])
    ws = _sheet(workbook_bytes(wb))
    assert _width(ws, "A") < _width(ws, "B")
    assert _width(ws, "B") >= len("Крем за ръце 50 мл")
    assert _width(ws, "C") == MAX_WIDTH
    _assert_table_shape(ws)
    assert ws["A1"].font.b
    assert ws["A3"].fill.start_color.rgb.endswith("C6EFCE")


def test_codes_are_text_in_xlsx_and_formula_like_text_never_runs():
    wb = new_workbook()
    add_sheet(wb, "T", ["Code", "Note", "At"], [
        ["3801234500013", "=cmd|' /C calc'!A0", datetime(2026, 3, 2, 9, 0)],
        [42, "+1", None],
    ], codes=["Code"])
    ws = _sheet(workbook_bytes(wb))
    assert (ws["A2"].value, ws["A2"].data_type, ws["A2"].number_format) == (
        "3801234500013", "s", "@")
    assert (ws["A3"].value, ws["A3"].data_type) == ("42", "s")
    assert (ws["B2"].value, ws["B2"].data_type, ws["B2"].quotePrefix) == (
        "=cmd|' /C calc'!A0", "s", True)
    assert ws["C2"].is_date and ws["C2"].number_format == "yyyy-mm-dd hh:mm:ss"


@pytest.mark.parametrize(("code", "cell"), [
    ("3801234500013", '="3801234500013"'),
    ("0042", '="0042"'),
    ("1-2", '="1-2"'),
    ("12E3", '="12E3"'),
    ("SO-5001", "SO-5001"),
    ("DC-HC-050", "DC-HC-050"),
    ("-5", "'-5"),
    ('=HYPERLINK("x")', "'=HYPERLINK(\"x\")"),
    (None, ""),
])
def test_csv_codes_stay_text_and_round_trip(code, cell):
    assert csv_code(code) == cell
    if code is not None:
        assert restored(cell) == code


def test_csv_text_has_a_bom_and_neutralises_every_other_cell():
    text = csv_text(["Code", "Note", "Done"], [["0042", "@evil", True]], codes=["Code"])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["Code", "Note", "Done"], ['="0042"', "'@evil", "yes"]]


# ---------------------------------------------------------------- every export uses it

@pytest.mark.django_db
def test_completion_report_is_wide_enough_for_cyrillic_names_frozen_and_filtered():
    plist = make_list(columns=["Order_Number", "SKU", "Product_Name", "Quantity", "Courier",
                               "Barcode"])
    order = make_order(plist, "5001", [("DC-SH-400", 1, 0, {"Barcode": "3801234500030"})])
    order.items.update(product_name=LONG_NAME)
    wb = openpyxl.load_workbook(io.BytesIO(completion_report(plist)))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    letter = openpyxl.utils.get_column_letter(header.index("Product_Name") + 1)
    assert _width(ws, letter) >= len(LONG_NAME) or _width(ws, letter) == MAX_WIDTH
    assert _width(ws, letter) > 13
    _assert_table_shape(ws)
    row = dict(zip(header, ws[2]))
    assert (row["Order_Number"].data_type, row["Order_Number"].number_format) == ("s", "@")
    assert (row["Barcode"].value, row["Barcode"].number_format) == ("3801234500030", "@")
    _assert_table_shape(wb.worksheets[1])


@pytest.fixture
def scanned_list(db):
    plist = make_list()
    order = make_order(plist, "5001", [("DC-SH-400", 1, 1)])
    scan(plist, T0, order=order, code="3801234500030", outcome="item_ok")
    return plist


def test_history_xlsx_sheets_are_frozen_filtered_and_keep_codes_as_text(scanned_list):
    content = history_xlsx(packing_list=scanned_list)
    for title in ("Orders", "Scans"):
        _assert_table_shape(_sheet(content, title))
    scans = _sheet(content, "Scans")
    code = scans.cell(row=2, column=SCAN_COLUMNS.index("Code") + 1)
    assert (code.value, code.data_type, code.number_format) == ("3801234500030", "s", "@")


def test_scans_csv_writes_barcodes_as_text_not_numbers(scanned_list):
    rows = list(csv.reader(io.StringIO(history_csv("scans", packing_list=scanned_list)[1:])))
    assert rows[1][SCAN_COLUMNS.index("Code")] == '="3801234500030"'
    orders = list(csv.reader(io.StringIO(history_csv("orders", packing_list=scanned_list)[1:])))
    assert orders[1][3] == '="5001"'


@pytest.mark.django_db
def test_sku_mapping_export_uses_the_sheet_writer(client):
    user = User.objects.create_user("ada", password="pw-123456")
    client.force_login(assign_role(user, ADMIN))
    build_mapping(build_client("ACME"), "7290018664100", "INTERNAL-SKU-1")
    url = reverse("admin:profiles_skumapping_export")
    fields = {"resource": "0", "skumappingresource_client": "on",
              "skumappingresource_barcode": "on", "skumappingresource_sku": "on"}
    xlsx = client.post(url, {"format": "1", **fields}).content
    ws = _sheet(xlsx)
    _assert_table_shape(ws)
    assert (ws["B2"].value, ws["B2"].number_format) == ("7290018664100", "@")
    text = client.post(url, {"format": "0", **fields}).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["ACME", '="7290018664100"',
                                                      "INTERNAL-SKU-1"]
