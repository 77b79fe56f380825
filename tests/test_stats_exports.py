"""History export (orders + scan log) of a list or a session, as xlsx and CSV."""

import csv
import io

import pytest
from openpyxl import load_workbook

from sessions.downloads import file_name
from sessions.errors import InvalidRequest
from stats.exports import (
    ORDER_COLUMNS,
    SCAN_COLUMNS,
    history_csv,
    history_xlsx,
)
from tests.reports_builders import T0, make_list, make_order, make_worker, minutes, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    worker = make_worker("Дельфин")
    plist = make_list()
    order = make_order(plist, "#1", [("=cmd|' /C calc'!A0", 2, 2)], status="completed",
                       started=T0, first_item=T0 + minutes(1), completed=T0 + minutes(3),
                       worker=worker, unknown_scans=1)
    scan(plist, T0, order=order, code="#1", outcome="order_loaded", worker=worker)
    scan(plist, T0 + minutes(1), order=order, code="@evil", outcome="unknown_item", worker=worker)
    scan(plist, T0 + minutes(2), order=order, code="A", outcome="order_complete", worker=worker,
         quantity=1)
    other = make_list(name="PostOne")
    make_order(other, "#2", [("B", 1, 0)])
    return plist, other


def test_xlsx_has_orders_and_scans_sheets(history):
    plist, _other = history
    wb = load_workbook(io.BytesIO(history_xlsx(packing_list=plist)))
    orders, scans = wb["Orders"], wb["Scans"]
    assert [c.value for c in orders[1]] == ORDER_COLUMNS
    row = dict(zip(ORDER_COLUMNS, [c.value for c in orders[2]]))
    assert (row["Order"], row["Status"], row["Duration (s)"], row["First Scan (s)"]) == (
        "#1", "completed", 180, 60)
    assert (row["Required Units"], row["Packed Units"], row["Completed By"]) == (2, 2, "Дельфин")
    assert orders.max_row == 2
    assert [c.value for c in scans[1]] == SCAN_COLUMNS
    outcomes = [r[SCAN_COLUMNS.index("Outcome")].value for r in scans.iter_rows(min_row=2)]
    assert outcomes == ["order_loaded", "unknown_item", "order_complete"]
    wrong = [r[SCAN_COLUMNS.index("Wrong")].value for r in scans.iter_rows(min_row=2)]
    assert wrong == [False, True, False]
    cells = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r]
    assert not [c.coordinate for c in cells if c.data_type == "f"]


def test_session_export_covers_every_list(history):
    plist, _other = history
    wb = load_workbook(io.BytesIO(history_xlsx(session=plist.session)))
    assert [r[3].value for r in wb["Orders"].iter_rows(min_row=2)] == ["#1", "#2"]


def test_csv_orders_and_scans_are_formula_safe(history):
    plist, _other = history
    text = history_csv("scans", packing_list=plist)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == SCAN_COLUMNS
    assert rows[2][SCAN_COLUMNS.index("Code")] == "'@evil"
    assert rows[1][SCAN_COLUMNS.index("Time")] == "2026-03-02 09:00:00"
    orders = list(csv.reader(io.StringIO(history_csv("orders", packing_list=plist)[1:])))
    assert orders[1][ORDER_COLUMNS.index("Completed By")] == "Дельфин"


def test_bad_requests(history):
    with pytest.raises(InvalidRequest):
        history_csv("claims", packing_list=history[0])
    with pytest.raises(InvalidRequest):
        history_xlsx()


def test_filename(history):
    plist, _other = history
    assert file_name("history", "csv", packing_list=plist, part="scans") == \
        "2026-03-02_1_DHL_Orders_history_scans.csv"
    assert file_name("history", "xlsx", session=plist.session) == "2026-03-02_1_history.xlsx"
