"""The completion report xlsx (scenario 33): source lines, status, green rows, no formulas."""

import io
from datetime import datetime

import pytest
from django.utils import translation
from openpyxl import load_workbook

from sessions.demo import load_demo
from sessions.models import PackingList, ScanEvent
from sessions.reports import completion_report, list_summary
from tests.reports_builders import T0, make_list, make_order, make_worker, minutes

pytestmark = pytest.mark.django_db

GREEN = "00C6EFCE"
HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1", "=1+1"]


def read(data):
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows()]
    header = [c.value for c in rows[0]]
    return wb, header, rows[1:]


def col(header, rows, name):
    i = header.index(name)
    return [r[i].value for r in rows]


@pytest.fixture
def excel_list():
    """An Excel list with odd headers (mapped) and an extra column, lines interleaved by row."""
    worker = make_worker()
    headers = ["Order", "Item", "Name", "Qty", "Carrier", "Colour"]
    plist = make_list(columns=headers)
    session = plist.session
    session.info = {"mapping": {"Order_Number": "Order", "SKU": "Item", "Product_Name": "Name",
                                "Quantity": "Qty", "Courier": "Carrier"}}
    session.save()
    done = make_order(plist, "#1001", [("SKU-A", 2, 2, {"Colour": "Червен"}),
                                       ("SKU-B", 1, 1, {"Colour": "blue"})],
                      status="completed", started=T0, completed=T0 + minutes(7), worker=worker)
    started = make_order(plist, "#1002", [("SKU-C", 3, 1, {"Colour": "green"})],
                         status="in_progress", started=T0 + minutes(8))
    skipped = make_order(plist, "#1003", [("SKU-D", 1, 0, {"Colour": ""})], status="skipped")
    new = make_order(plist, "#1004", [("SKU-E", 1, 0, {"Colour": "red"})])
    # Source rows: #1001's second line came after #1002 in the file.
    for order, rows in ((done, [2, 4]), (started, [3]), (skipped, [5]), (new, [6])):
        for item, row in zip(order.items.order_by("line_number"), rows):
            item.source_row = row
            item.save()
    plist.refresh_from_db()  # with the counters the builders recounted
    return plist, worker


def test_s33_every_source_line_with_status_time_and_packer(excel_list):
    plist, _worker = excel_list
    _wb, header, rows = read(completion_report(plist))
    assert header == ["Order", "Item", "Name", "Qty", "Carrier", "Colour",
                      "Status", "Completed At", "Packed By", "Extras", "Manual Fill",
                      "Problem", "Box"]
    assert col(header, rows, "Order") == ["#1001", "#1002", "#1001", "#1003", "#1004"]
    assert col(header, rows, "Item") == ["SKU-A", "SKU-C", "SKU-B", "SKU-D", "SKU-E"]
    assert col(header, rows, "Qty") == [2, 3, 1, 1, 1]
    assert col(header, rows, "Colour") == ["Червен", "green", "blue", None, "red"]
    assert col(header, rows, "Status") == ["Completed", "In progress", "Completed", "Skipped",
                                           "New"]
    # The order's own completion time, in local time (09:07 in Sofia), not the end time.
    completed_at = datetime(2026, 3, 2, 9, 7)
    assert col(header, rows, "Completed At") == [completed_at, None, completed_at, None, None]
    assert col(header, rows, "Packed By") == ["Dolphin", None, "Dolphin", None, None]


def test_s33_completed_rows_are_green_and_only_them(excel_list):
    plist, _worker = excel_list
    _wb, header, rows = read(completion_report(plist))
    status = col(header, rows, "Status")
    for row, st in zip(rows, status):
        colours = {c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None for c in row}
        assert colours == ({GREEN} if st == "Completed" else {None}), st


def test_s33_text_cells_never_run_as_formulas():
    worker = make_worker()
    plist = make_list(columns=["Order_Number", "SKU", "Product_Name", "Quantity", "Courier",
                               "Note"])
    for n, text in enumerate(HOSTILE):
        make_order(plist, f"{text}{n}", [(f"{text}", 1, 1, {"Note": text})],
                   status="completed", started=T0, completed=T0 + minutes(1), worker=worker,
                   courier=text)
    wb, header, rows = read(completion_report(plist))
    cells = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert col(header, rows, "Note") == HOSTILE
    assert col(header, rows, "SKU") == HOSTILE
    assert col(header, rows, "Courier") == HOSTILE
    note_cells = [r[header.index("Note")] for r in rows]
    assert all(c.quotePrefix for c in note_cells)


def test_list_without_source_sheet_gets_standard_columns_and_metadata():
    plist = make_list(name="PostOne")
    order = make_order(plist, "#7", [("X-1", 2, 0, {"Barcode": "123"})], courier="PostOne")
    order.country, order.tags = "BG", ["VIP", "Gift"]
    order.save()
    _wb, header, rows = read(completion_report(plist))
    assert header == ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier", "Country",
                      "Tags", "Barcode", "Status", "Completed At", "Packed By", "Extras",
                      "Manual Fill", "Problem", "Box"]
    assert [c.value for c in rows[0]][:8] == ["#7", "X-1", "Product X-1", 2, "PostOne", "BG",
                                              "VIP, Gift", "123"]


def summary_of(plist):
    wb, _header, _rows = read(completion_report(plist))
    rows = list(wb.worksheets[1].iter_rows(values_only=True))
    return rows[0], {r[0]: r[1] for r in rows[1:]}


def test_summary_sheet(excel_list):
    plist, _worker = excel_list
    header, summary = summary_of(plist)
    assert header == ("Figure", "Value", "Unit")
    assert summary["Orders"] == 4 and summary["Completed orders"] == 1
    assert summary["Average order time"] == 420


def test_summary_shows_both_rates_labelled_like_the_screen_without_dotted_keys(excel_list):
    """Issue 15: the sheet said `metrics.orders_per_hour` 264.2 (wall) while the screen's
    headline said 323.5 (active). Both are shown, named as on the screen."""
    plist, worker = excel_list
    done = plist.orders.get(number="#1001")
    scan_at = [T0 - minutes(5), T0 + minutes(7)]  # the worker was on the list for 12 minutes
    for at in scan_at:
        ScanEvent.objects.create(packing_list=plist, order=done, worker=worker, action="scan",
                                 raw_code="x", outcome="item_ok", created_at=at)
    _header, summary = summary_of(plist)
    assert summary["Orders / hour"] == round(3600 / 420, 1)  # active time: 7 minutes
    assert summary["Orders / hour (wall time)"] == 5.0  # wall time: 12 minutes
    assert not [label for label in summary if "." in label or "_" in label]
    data = list_summary(plist)  # the raw keys stay in the JSON summary
    assert data["metrics"]["orders_per_hour"] == 5.0
    assert data["figures"]["orders_per_hour_active"] == round(3600 / 420, 1)


@pytest.mark.parametrize(("lang", "active", "wall"), [
    ("bg", "Поръчки / час", "Поръчки / час (по часовник)"),
    ("uk", "Замовлень / год", "Замовлень / год (за годинником)"),
])
def test_summary_labels_are_in_the_users_language(excel_list, lang, active, wall):
    plist, _worker = excel_list
    with translation.override(lang):
        header, summary = summary_of(plist)
    assert active in summary and wall in summary
    assert header[0] != "Figure"


def test_demo_columns_carry_what_the_order_carries():
    """Issue 15: in the demo list Shipping_Country, Tags and Notes were empty in every row."""
    load_demo()
    plist = PackingList.objects.get(name="DHL_Orders")
    _wb, header, rows = read(completion_report(plist))
    by_number = {}
    for row in rows:
        by_number.setdefault(row[header.index("Order_Number")].value, row)
    for order in plist.orders.all():
        row = by_number[order.number]
        assert row[header.index("Shipping_Country")].value == order.country
        assert (row[header.index("Tags")].value or "") == ", ".join(order.tags)
        assert (row[header.index("Notes")].value or "") == order.notes
    assert any(r[header.index("Tags")].value for r in rows)
    assert any(r[header.index("Notes")].value for r in rows)


def test_sheet_columns_named_like_order_fields_fall_back_to_the_order():
    """An Excel list whose Country column is empty on a line still shows the order's country,
    and a filled cell is not overwritten by an empty order field."""
    plist = make_list(columns=["Order_Number", "SKU", "Product_Name", "Quantity", "Courier",
                               "Shipping Country", "Note"])
    order = make_order(plist, "#1", [("A", 1, 0, {"Shipping Country": "", "Note": "from sheet"})])
    order.country = "BG"
    order.save()
    _wb, header, rows = read(completion_report(plist))
    assert rows[0][header.index("Shipping Country")].value == "BG"
    assert rows[0][header.index("Note")].value == "from sheet"


def test_report_query_count_does_not_grow_with_orders(excel_list, django_assert_max_num_queries):
    plist, worker = excel_list
    for n in range(40):
        make_order(plist, f"#9{n:03}", [("Z", 1, 1, {"Colour": "x"})], status="completed",
                   started=T0, completed=T0 + minutes(2), worker=worker)
    with django_assert_max_num_queries(12):
        completion_report(plist)
