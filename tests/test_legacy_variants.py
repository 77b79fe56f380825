"""Every era and variant of the legacy files (legacy-formats.md §7, §8, §17), one test each:
what the files say must come out as the list's figures, with a log that replays to them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sessions.models import Order, OrderExtra, PackingList
from tests.legacy_fixtures.builder import ShareBuilder, item_states
from tests.legacy_fixtures.helpers import all_lists_replay, figures, problem_reasons, run

pytestmark = pytest.mark.django_db

ORDERS = [("#1001", [("SKU-A", 2)]), ("#1002", [("SKU-B", 1), ("SKU-C", 3)]),
          ("#1003", [("SKU-A", 1)]), ("#1004", [("SKU-D", 2)])]
SOFIA = ZoneInfo("Europe/Sofia")


@pytest.fixture
def share(tmp_path):
    b = ShareBuilder(tmp_path / "0UFulfilment")
    b.client("M", name="M Cosmetics", mapping={"4820000000017": "SKU-A"})
    return b


def _session(share, sid="2025-12-01_1", variant="P2"):
    return share.shopify_session("M", sid, {"DHL_Orders": ORDERS}, variant=variant)


def test_s1_wrapped_state_of_an_unfinished_e3_run(share):
    work = share.work_dir(_session(share, "2025-11-12_1", variant="P1"), "DHL_Orders")
    share.json(work / "barcodes" / "packing_state.json", {
        "version": "1.0", "timestamp": "2025-11-12T10:00:00.5", "client_id": "M",
        "data": {"in_progress": {"#1002": item_states(ORDERS[1][1], {1: 2})},
                 "completed_orders": ["#1001"]}})
    report = run(share.root)
    assert figures(report, "DHL_Orders") == {
        "orders": 4, "lines": 5, "units": 9, "packed_units": 4, "completed_orders": 1,
        "skipped_orders": 0, "state": "in_progress"}
    order = Order.objects.get(number="#1001")
    assert order.completed_at == datetime(2025, 11, 12, 10, 0, 0, 500000, tzinfo=SOFIA)
    assert Order.objects.get(number="#1002").status == "in_progress"
    assert PackingList.objects.get().claim_token is None  # resumable, not claimed
    all_lists_replay()


def test_e3_ended_run_union_of_backup_summary_and_report(share):
    session = _session(share, "2025-11-13_1", variant="P1")
    work = share.work_dir(session, "DHL_Orders")
    # The backup is one write behind: #1004 was completed by the last write only.
    share.json(work / "barcodes" / "packing_state.json.backup", {
        "version": "1.0", "timestamp": "2025-11-13T11:00:00", "client_id": "M",
        "data": {"in_progress": {"#1004": item_states(ORDERS[3][1], {0: 1})},
                 "completed_orders": ["#1001", "#1002", "#1003"]}})
    share.json(work / "session_summary.json", {
        "version": "1.0", "session_id": "x_DHL_Orders", "session_type": "shopify",
        "client_id": "M", "started_at": None, "completed_at": "2025-11-13T11:05:00",
        "total_orders": 4, "completed_orders": 4, "in_progress_orders": 0,
        "total_items": 9, "items_packed": 9})
    share.completed_report(work / "reports" / "packing_completed.xlsx", ORDERS,
                           {"#1001", "#1002", "#1003", "#1004"}, at="2025-11-13 11:04:00")
    report = run(share.root)
    assert figures(report, "DHL_Orders")["completed_orders"] == 4
    assert figures(report, "DHL_Orders")["state"] == "completed"
    last = Order.objects.get(number="#1004")
    assert last.completed_at == datetime(2025, 11, 13, 11, 4, tzinfo=SOFIA)
    assert PackingList.objects.get().ended_at == datetime(2025, 11, 13, 11, 5, tzinfo=SOFIA)
    all_lists_replay()


def test_s2_flat_state_with_fallback_entries_and_nested_summary(share):
    work = share.work_dir(_session(share, "2025-11-18_1"), "DHL_Orders")
    share.json(work / "packing_state.json", {
        "session_id": "2025-11-18_1", "client_id": "M", "packing_list_name": "DHL_Orders",
        "started_at": "2025-11-18T10:00:00", "last_updated": "2025-11-18T10:30:00",
        "status": "in_progress", "worker_pc": "WH-PACK-02",
        "progress": {"total_orders": 4, "completed_orders": 2, "in_progress_order": None,
                     "total_items": 9, "packed_items": 6},
        "in_progress": {},
        "completed": [{"order_number": "#1001", "completed_at": "2025-11-18T10:30:00",
                       "items_count": 1},
                      {"order_number": "#1002", "completed_at": "2025-11-18T10:30:00",
                       "items_count": 2}]})
    share.json(work / "session_summary.json", {
        "session_id": "2025-11-18_1", "packing_list_name": "DHL_Orders",
        "completed_at": "2025-11-18T10:31:00", "worker_pc": "WH-PACK-02",
        "summary": {"total_orders": 4, "completed_orders": 2, "total_items": 9},
        "performance": {"orders_per_hour": 4.0}})
    report = run(share.root)
    f = figures(report, "DHL_Orders")
    # Ended with orders open: stays resumable here (ending a list is final on the server).
    assert (f["completed_orders"], f["packed_units"], f["state"]) == (2, 6, "in_progress")
    pl = PackingList.objects.get()
    assert pl.info["evidence"][str(work / "session_summary.json")] == "summary nested"
    assert pl.info["evidence"][str(work / "packing_state.json")] == "S2"
    all_lists_replay()


def test_s4_pre_2026_records_repeat_the_required_quantity(share):
    work = share.work_dir(_session(share), "DHL_Orders")
    rec = {"sku": "skuc", "title": "C", "quantity": 3, "scanned_at": "2025-12-01T09:31:00+02:00",
           "time_from_order_start_seconds": 5}
    share.json(work / "packing_state.json", {
        "version": "1.3.0", "session_id": "2025-12-01_1", "client_id": "M",
        "started_at": "2025-12-01T09:00:00+02:00", "last_updated": "2025-12-01T09:40:00+02:00",
        "status": "in_progress", "pc_name": "WH-PACK-01",
        "progress": {"total_orders": 4, "completed_orders": 1, "in_progress_order": "#1002",
                     "total_items": 9, "packed_items": 4},
        "in_progress": {"#1002": item_states(ORDERS[1][1], {1: 2}),
                        "_timing": {"current_order_start_time": "2025-12-01T09:30:55+02:00",
                                    "items_scanned": [
                                        rec, dict(rec, scanned_at="2025-12-01T09:31:10+02:00")]}},
        "completed": [{"order_number": "#1001", "started_at": "2025-12-01T09:28:00+02:00",
                       "completed_at": "2025-12-01T09:30:10+02:00", "duration_seconds": 130,
                       "items_count": 2, "items": [
                           {"sku": "skua", "title": "A", "quantity": 2,
                            "scanned_at": "2025-12-01T09:29:00+02:00"},
                           {"sku": "skua", "title": "A", "quantity": 2,
                            "scanned_at": "2025-12-01T09:30:10+02:00"}]}]})
    run(share.root)
    done = Order.objects.get(number="#1001")
    # Two scan records of quantity 2 are two scans of one unit each, not four units.
    scans = done.scan_events.filter(action="scan", outcome="item_ok")
    assert [e.quantity for e in scans] == [1, 1]
    assert done.started_at.isoformat() == "2025-12-01T07:28:00+00:00"
    current = Order.objects.get(number="#1002")
    assert current.started_at.isoformat() == "2025-12-01T07:30:55+00:00"
    assert [i.packed for i in current.items.order_by("line_number")] == [0, 2]
    assert current.scan_events.filter(outcome="item_ok").count() == 2
    all_lists_replay()


def test_s5_skips_and_pending_extras(share):
    work = share.work_dir(_session(share, "2026-02-24_1"), "DHL_Orders")
    share.json(work / "packing_state.json", {
        "version": "1.3.0", "session_id": "2026-02-24_1", "client_id": "M",
        "last_updated": "2026-02-24T10:00:00+02:00", "status": "in_progress",
        "progress": {"total_orders": 4, "completed_orders": 0, "in_progress_order": "#1001"},
        "in_progress": {"#1001": item_states(ORDERS[0][1], {0: 2}),
                        "#1004": item_states(ORDERS[3][1], {0: 1}),
                        "_timing": {"current_order_start_time": "2026-02-24T09:59:00+02:00",
                                    "items_scanned": []}},
        "_current_extras": {"skua": 1},
        "completed": [], "skipped_orders": ["#1004"]})
    report = run(share.root)
    f = figures(report, "DHL_Orders")
    assert (f["skipped_orders"], f["completed_orders"], f["packed_units"]) == (1, 0, 3)
    skipped = Order.objects.get(number="#1004")
    assert skipped.status == "skipped" and skipped.items.get().packed == 1
    # Full lines but an unresolved over-scan: the order stays open until kept or removed.
    open_order = Order.objects.get(number="#1001")
    assert open_order.status == "in_progress"
    assert OrderExtra.objects.get(order=open_order).pending == 1
    all_lists_replay()


def test_s6_force_confirm_corrections_unknown_and_the_over_required_trap(share):
    work = share.work_dir(_session(share, "2026-08-03_1"), "DHL_Orders")

    def rec(sku, row, at, method="scanned", qty=1):
        return {"sku": sku, "title": sku, "quantity": qty, "row": row,
                "scanned_at": f"2026-08-03T10:{at}+03:00", "time_from_order_start_seconds": 1,
                "confirmation_method": method}

    share.json(work / "packing_state.json", {
        "version": "1.3.0", "session_id": "2026-08-03_1", "client_id": "M",
        "started_at": "2026-08-03T10:00:00+03:00", "last_updated": "2026-08-03T10:20:00+03:00",
        "status": "completed", "pc_name": "WH-PACK-02",
        "progress": {"total_orders": 4, "completed_orders": 4, "total_items": 9,
                     "packed_items": 12},
        "in_progress": {}, "_current_extras": {},
        "completed": [
            {"order_number": "#1001", "started_at": "2026-08-03T10:01:00+03:00",
             "completed_at": "2026-08-03T10:02:00+03:00", "duration_seconds": 60,
             "items_count": 2, "items": [rec("skua", 0, "01:10"), rec("skua", 0, "01:20")],
             "corrections": 1, "extra_scans_count": 1, "unknown_scans_count": 2},
            # The resumed-skip bug: scans of another order's item (skuz) and one unit too many.
            {"order_number": "#1002", "started_at": "2026-08-03T10:05:00+03:00",
             "completed_at": "2026-08-03T10:06:00+03:00", "duration_seconds": 60,
             "items_count": 7, "items": [rec("skuz", 0, "05:10"), rec("skub", 0, "05:20"),
                                         rec("skub", 0, "05:25"),
                                         rec("skuc", 1, "05:30", "force_confirmed", 3)],
             "corrections": 0, "extra_scans_count": 0, "unknown_scans_count": 0},
            {"order_number": "#1003", "completed_at": "2026-08-03T10:10:00+03:00",
             "items_count": 1},
            {"order_number": "#1004", "started_at": "2026-08-03T10:11:00+03:00",
             "completed_at": "2026-08-03T10:12:00+03:00", "items": []}],
        "skipped_orders": [], "skipped_orders_timing": {"#1004": "2026-08-03T10:03:00+03:00"}})
    share.json(work / "session_summary.json", {
        "version": "1.3.0", "session_type": "shopify", "client_id": "M",
        "packing_list_name": "DHL_Orders", "worker_id": "worker_007", "worker_name": "Ivan",
        "pc_name": "WH-PACK-02", "completed_at": "2026-08-03T10:13:00+03:00",
        "total_orders": 4, "completed_orders": 4, "orders": []})
    report = run(share.root)
    assert figures(report, "DHL_Orders") == {
        "orders": 4, "lines": 5, "units": 9, "packed_units": 9, "completed_orders": 4,
        "skipped_orders": 0, "state": "completed"}
    first = Order.objects.get(number="#1001")
    assert (first.corrections, first.unknown_scans) == (1, 2)
    assert first.metadata["legacy"]["extra_scans"] == 1
    second = Order.objects.get(number="#1002")
    assert second.manual_confirmations == 1
    assert second.scan_events.filter(outcome="legacy_discarded").count() == 2  # skuz, 2nd skub
    assert Order.objects.get(number="#1004").skipped_at is not None
    pl = PackingList.objects.get()
    assert pl.ended_by.legacy_id == "worker_007" and pl.ended_by.display_name == "Ivan"
    assert first.completed_station.name == "WH-PACK-02"
    all_lists_replay()


def test_init_order_bug_completions_recovered_from_summary(share):
    """2025-11-20 → 2026-02-27: a resume truncated `completed`; the summary still names them."""
    work = share.work_dir(_session(share, "2026-01-10_1"), "DHL_Orders")
    share.json(work / "packing_state.json", {
        "version": "1.3.0", "last_updated": "2026-01-10T12:00:00+02:00",
        "progress": {"total_orders": 4, "completed_orders": 3},
        "in_progress": {}, "completed": [{"order_number": "#1003",
                                          "completed_at": "2026-01-10T12:00:00+02:00",
                                          "items_count": 1}]})
    share.json(work / "session_summary.json", {
        "version": "1.3.0", "completed_at": "2026-01-10T11:00:00+02:00", "total_orders": 4,
        "completed_orders": 2, "orders": [
            {"order_number": "#1001", "started_at": "2026-01-10T10:00:00+02:00",
             "completed_at": "2026-01-10T10:01:00+02:00", "items": []},
            {"order_number": "1002", "completed_at": "2026-01-10T10:05:00+02:00"}]})
    report = run(share.root)
    assert figures(report, "DHL_Orders")["completed_orders"] == 3
    assert Order.objects.get(number="#1004").status == "new"
    all_lists_replay()


def test_full_session_mode_from_a1_analysis_with_nan(share):
    session = share.shopify_session("M", "2025-11-12_2", {})
    share.json(session / "analysis" / "analysis_data.json", {
        "analyzed_at": "2025-11-12T09:00:00", "total_orders": 2,
        "orders": __import__("tests.legacy_fixtures.builder", fromlist=["x"]).orders_json(
            ORDERS[:2], variant="A1")})
    text = (session / "analysis" / "analysis_data.json").read_text()
    assert "NaN" in text
    share.json(session / "packing_full_session" / "barcodes" / "packing_state.json", {
        "version": "1.0", "timestamp": "2025-11-12T10:00:00",
        "data": {"in_progress": {}, "completed_orders": ["#1001"]}})
    report = run(share.root)
    f = figures(report, "full_session")
    assert (f["orders"], f["completed_orders"], f["state"]) == (2, 1, "in_progress")
    assert Order.objects.get(number="#1001").country == ""
    assert Order.objects.get(number="#1001").tags == []


def test_lists_never_opened_are_not_started_and_cyrillic_escapes_decode(share):
    share.shopify_session("M", "2026-03-01_1", {"Спиди поръчки": ORDERS[:1]})
    report = run(share.root)
    f = figures(report, "Спиди поръчки")
    assert (f["state"], f["packed_units"], f["units"]) == ("not_started", 0, 2)
    assert Order.objects.get().items.get().product_name == "Продукт SKU-A"
    assert report["clients"]["M"]["sku_mappings"]["created"] == 1


def test_e0_dict_form_state_in_an_excel_folder(share):
    folder = share.excel_session("M", "2025-11-04_09-00")
    share.completed_report(folder / "orders_completed.xlsx", ORDERS, {"#1003"})
    share.json(folder / "barcodes" / "packing_state.json", {
        "in_progress": {"#1002": {"skuc": {"original_sku": "SKU-C", "required": 3,
                                           "packed": 2, "row": 1}}},
        "completed_orders": ["#1001"]})
    report = run(share.root)
    f = figures(report, "orders")
    assert (f["completed_orders"], f["packed_units"]) == (2, 2 + 1 + 2)
    assert [i.packed for i in Order.objects.get(number="#1002").items.order_by("line_number")] \
        == [0, 2]
    assert "problems" in report and not any("Excel list" in r for r in problem_reasons(report))


def test_e2_analysis_flow_p0_list_and_error_summary(share):
    """E2 (2025-11-05 → 11-11): a Shape-A folder packing a Shopify analysis; P0 list file;
    a summary in the minimal error form (no counts, but the run was ended)."""
    source = share.shopify_session("M", "2025-11-06_1", {"analysis_data": ORDERS[:2]})
    share.json(source / "analysis" / "analysis_data.json", {
        "analyzed_at": "2025-11-06T09:00:00", "orders": __import__(
            "tests.legacy_fixtures.builder", fromlist=["x"]).orders_json(ORDERS, variant="A1")})
    (source / "packing_lists" / "tmp12ab.json").write_text("{}")  # a temp file, never a list
    folder = share.excel_session(
        "M", "2025-11-06_10-15", client_id="M", started_at="2025-11-06T10:15:00",
        packing_list_path="\\\\192.168.88.101\\x\\Sessions\\CLIENT_M\\2025-11-06_1"
                          "\\analysis\\analysis_data.json")
    share.json(folder / "barcodes" / "packing_state.json", {
        "version": "1.0", "timestamp": "2025-11-06T10:40:00",
        "data": {"in_progress": {}, "completed_orders": ["#1001", "#1004"]}})
    share.json(folder / "session_summary.json", {
        "version": "1.0", "session_id": "2025-11-06_10-15", "client_id": "M",
        "completed_at": "2025-11-06T10:41:00", "error": "list index out of range"})
    report = run(share.root)
    flow = figures(report, "analysis_data", "2025-11-06_10-15")
    assert (flow["orders"], flow["units"], flow["completed_orders"]) == (4, 9, 2)
    assert figures(report, "analysis_data", "2025-11-06_1")["state"] == "not_started"
    assert not any("tmp12ab" in f["list"] for f in report["lists"])
    pl = PackingList.objects.get(session__external_id="2025-11-06_10-15")
    assert pl.info["evidence"][str(folder / "session_summary.json")] == "summary error"
    all_lists_replay()
