"""A whole share: both capitalisations, corruption, Excel sessions with and without
--lists-dir, locks, stats history, idempotency, dry runs, read-only access, the command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from profiles.models import Client, CourierDeadline, SkuMapping, Worker
from sessions.models import Order, PackingList, PackingSession, ScanEvent
from stats.models import LegacyStatRecord
from tests.legacy_fixtures.builder import ShareBuilder, item_states
from tests.legacy_fixtures.helpers import (
    all_lists_replay,
    figures,
    make_read_only,
    make_writable,
    problem_reasons,
    run,
    snapshot,
)

pytestmark = pytest.mark.django_db

ORDERS = [("#2001", [("A-1", 1)]), ("#2002", [("B-2", 2), ("C-3", 1)]), ("#2003", [("A-1", 3)])]


def _e2(tmp_path):
    b = ShareBuilder(tmp_path / "0UFulfilment")
    b.client("M", name="M Cosmetics", mapping={"111": "A-1", "1 1 1": "A-1b", "222": "B-2"})
    b.workers([{"id": "worker_001", "name": "Dolphin", "total_orders": 10,
                "last_active": "2026-01-02T10:00:00+02:00"},
               {"id": "worker_002", "name": "Maria"}])
    return b


def _e1(tmp_path):
    b = ShareBuilder(tmp_path / "2Packing-tool", upper=True)
    b.client("M", name="M Old", mapping={"999": "C-3"}, variant="e1")
    return b


def _excel_done(b, sid="2025-10-29_10-00"):
    folder = b.excel_session("M", sid)
    b.completed_report(folder / "orders_0311_completed.xlsx", ORDERS, {"#2001", "#2002", "#2003"},
                       at="2025-10-29 10:10:00")
    b.json(folder / "barcodes" / "packing_state.json.backup", {
        "version": "1.0", "timestamp": "2025-10-29T10:20:00",
        "data": {"in_progress": {}, "completed_orders": ["#2001", "#2002"]}})
    b.json(folder / "session_summary.json", {
        "version": "1.0", "session_id": sid, "client_id": "M",
        "started_at": "2025-10-29T10:00:00", "completed_at": "2025-10-29T10:30:00",
        "packing_list_path": "C:\\Users\\packer\\Desktop\\orders_0311.xlsx",
        "total_orders": 3, "completed_orders": 3, "total_items": 7, "items_packed": 7})
    return folder


def test_both_capitalisations_e2_copy_wins_and_e1_adds_missing_folders(tmp_path):
    e2, e1 = _e2(tmp_path), _e1(tmp_path)
    _excel_done(e1, "2025-10-29_10-00")  # only in the old tree
    copied = _excel_done(e1, "2025-11-04_09-00")
    resumed = e2.excel_session("M", "2025-11-04_09-00")  # copied on 11-05, then resumed
    e2.completed_report(resumed / "orders_0311_completed.xlsx", ORDERS, {"#2001"})
    e2.json(resumed / "barcodes" / "packing_state.json", {
        "version": "1.0", "timestamp": "2025-11-05T09:00:00",
        "data": {"in_progress": {"#2002": item_states(ORDERS[1][1], {0: 1})},
                 "completed_orders": ["#2001"]}})
    report = run(tmp_path)
    assert {(f["session"], f["list"]) for f in report["lists"]} == {
        ("2025-10-29_10-00", "orders_0311"), ("2025-11-04_09-00", "orders_0311")}
    assert figures(report, "orders_0311", "2025-11-04_09-00")["completed_orders"] == 1
    assert figures(report, "orders_0311", "2025-10-29_10-00")["state"] == "completed"
    assert PackingSession.objects.get(external_id="2025-10-29_10-00").source_path \
        == "2Packing-tool/SESSIONS/CLIENT_M/2025-10-29_10-00"
    assert copied.is_dir()
    client = Client.objects.get(code="M")
    assert client.name == "M Cosmetics"  # E2+ profile first
    assert dict(client.sku_mappings.values_list("normalized_barcode", "sku")) == {
        "111": "A-1b", "222": "B-2"}  # later key wins; the E1 map is only a fallback
    assert report["clients"]["M"]["mapping_duplicates"][0]["dropped"]["sku"] == "A-1"
    assert set(CourierDeadline.objects.values_list("courier", flat=True)) == {"DHL", "Speedy"}
    all_lists_replay()


def test_e1_tree_alone(tmp_path):
    e1 = _e1(tmp_path)
    _excel_done(e1)
    report = run(e1.root)
    assert figures(report, "orders_0311") == {
        "orders": 3, "lines": 4, "units": 7, "packed_units": 7, "completed_orders": 3,
        "skipped_orders": 0, "state": "completed"}
    assert Client.objects.get().name == "M Old"
    assert SkuMapping.objects.get().sku == "C-3"


def test_workers_become_workers_with_unusable_passwords(tmp_path):
    b = _e2(tmp_path)
    (b.d("Workers") / "workers.json").unlink()
    b.workers([{"id": "worker_003", "name": "Georgi"}], name="workers.json.backup")
    report = run(b.root)
    worker = Worker.objects.get(legacy_id="worker_003")
    assert worker.display_name == "Georgi" and not worker.user.has_usable_password()
    assert report["workers"] == {"created": 1, "existing": 0}


def test_crashed_excel_session_without_lists_dir_names_the_gap(tmp_path):
    b = _e2(tmp_path)
    folder = b.excel_session("M", "2025-11-20_14-30", client_id="M",
                             packing_list_path="C:\\Users\\packer\\Desktop\\orders_2011.xlsx",
                             started_at="2025-11-20T14:30:45.118003", pc_name="WH-PACK-01")
    b.json(folder / "barcodes" / "packing_state.json", {
        "version": "1.3.0", "session_id": None, "last_updated": "2025-11-20T15:00:00+02:00",
        "progress": {"in_progress_order": "#2002"},
        "in_progress": {"#2002": item_states(ORDERS[1][1], {0: 2})},
        "completed": [{"order_number": "#2001", "completed_at": "2025-11-20T15:00:00+02:00",
                       "items_count": 1}]})
    b.labels(folder, ["#2001", "#2002", "#2003"])
    b.lock(folder, heartbeat="2025-11-20T15:00:00")
    report = run(b.root)
    f = figures(report, "orders_2011")
    assert (f["orders"], f["completed_orders"], f["lines"], f["state"]) == (3, 1, 2, "in_progress")
    assert any("orders_2011.xlsx" in r and "--lists-dir" in r for r in problem_reasons(report))
    # The old lock is reported, never a claim.
    assert report["locks"][0]["holder"] == "Dolphin" and not report["locks"][0]["recent"]
    assert PackingList.objects.get().claim_token is None
    assert Order.objects.get(number="2003").metadata["legacy"]["known_from_label_only"]
    all_lists_replay()


def test_lists_dir_on_a_later_run_completes_an_untouched_gap_list(tmp_path):
    b = _e2(tmp_path)
    folder = b.excel_session("M", "2025-11-20_14-30", client_id="M",
                             packing_list_path="C:\\Users\\packer\\orders_2011.xlsx")
    b.json(folder / "barcodes" / "packing_state.json", {
        "version": "1.3.0", "last_updated": "2025-11-20T15:00:00+02:00", "in_progress": {},
        "completed": [{"order_number": "#2001", "completed_at": "2025-11-20T15:00:00+02:00"}]})
    first = run(b.root)
    assert figures(first, "orders_2011")["lines"] == 0
    lists = tmp_path / "pc"
    b.xlsx(lists / "orders_2011.xlsx", ["Order_Number", "SKU", "Product_Name", "Quantity",
                                        "Courier"],
           [[n, s, "P", str(q), "DHL"] for n, lines in ORDERS for s, q in lines])
    second = run(b.root, lists_dir=lists)
    assert figures(second, "orders_2011") == {
        "orders": 3, "lines": 4, "units": 7, "packed_units": 1, "completed_orders": 1,
        "skipped_orders": 0, "state": "in_progress"}
    assert second["gaps_filled"][0]["list"] == "orders_2011"
    assert PackingList.objects.count() == 1 and Order.objects.count() == 3
    all_lists_replay()
    assert run(b.root, lists_dir=lists)["lists"] == []  # and then idempotent again


def test_crashed_excel_session_with_lists_dir_gets_lines_and_units(tmp_path):
    b = _e2(tmp_path)
    folder = b.excel_session("M", "2025-11-20_14-30", client_id="M",
                             packing_list_path="C:\\Users\\packer\\Desktop\\orders_2011.xlsx")
    b.json(folder / "barcodes" / "packing_state.json", {
        "version": "1.3.0", "last_updated": "2025-11-20T15:00:00+02:00",
        "in_progress": {"#2002": item_states(ORDERS[1][1], {0: 2})},
        "completed": [{"order_number": "#2001", "completed_at": "2025-11-20T15:00:00+02:00"}]})
    lists = tmp_path / "pc-desktop"
    rows = [[n, s, f"P {s}", str(q), "DHL"] for n, lines in ORDERS for s, q in lines]
    b.xlsx(lists / "orders_2011.xlsx", ["Order_Number", "SKU", "Product_Name", "Quantity",
                                        "Courier"], rows)
    report = run(b.root, lists_dir=lists)
    assert figures(report, "orders_2011") == {
        "orders": 3, "lines": 4, "units": 7, "packed_units": 1 + 2, "completed_orders": 1,
        "skipped_orders": 0, "state": "in_progress"}
    assert not any("Excel list" in r for r in problem_reasons(report))


def test_corrupt_files_are_reported_and_the_rest_imports(tmp_path):
    b = _e2(tmp_path)
    ok = b.shopify_session("M", "2026-03-02_1", {"DHL_Orders": ORDERS})
    # Truncated state: the backup and the report still prove what was packed.
    broken = b.shopify_session("M", "2026-03-02_2", {"DHL_Orders": ORDERS})
    work = b.work_dir(broken, "DHL_Orders")
    b.json(work / "packing_state.json", {"version": "1.3.0", "completed": []}, truncate=25)
    b.completed_report(work / "reports" / "packing_completed.xlsx", ORDERS, {"#2001"})
    (work / "session_summary.json").write_text("")
    # A packing-list JSON that is not JSON at all, with no evidence: nothing to import.
    bad = b.shopify_session("M", "2026-03-02_3", {})
    (bad / "packing_lists").mkdir()
    (bad / "packing_lists" / "Broken.json").write_text("{\"orders\": [", encoding="utf-8")
    # Temp files and indexes are never data.
    b.json(ok / "packing_lists" / ".tmp_state_x.json", {"orders": []})
    b.json(b.d("Sessions") / "CLIENT_M" / "registry_index.json", {"version": "1.0"})
    report = run(b.root)
    reasons = {}
    for p in report["problems"]:
        reasons.setdefault(p["path"].rsplit("0UFulfilment/", 1)[-1], p["reason"])
    assert reasons["Sessions/CLIENT_M/2026-03-02_2/packing/DHL_Orders/packing_state.json"] \
        .startswith("truncated JSON")
    assert reasons["Sessions/CLIENT_M/2026-03-02_2/packing/DHL_Orders/session_summary.json"] \
        == "empty file"
    assert "truncated JSON" in reasons["Sessions/CLIENT_M/2026-03-02_3/packing_lists/Broken.json"]
    assert figures(report, "DHL_Orders", "2026-03-02_2")["completed_orders"] == 1
    assert figures(report, "DHL_Orders", "2026-03-02_1")["state"] == "not_started"
    assert PackingList.objects.count() == 2


def test_colliding_order_numbers_reject_only_that_session(tmp_path):
    b = _e2(tmp_path)
    b.shopify_session("M", "2026-03-05_1", {"L": [("#3001", [("A-1", 1)]),
                                                   ("3001", [("B-2", 1)])]})
    b.shopify_session("M", "2026-03-05_2", {"L": ORDERS})
    report = run(b.root)
    assert [f["session"] for f in report["lists"]] == ["2026-03-05_2"]
    assert any("same number once normalised" in r for r in problem_reasons(report))
    assert not PackingSession.objects.filter(external_id="2026-03-05_1").exists()


def test_idempotent_and_new_folders_only_on_a_second_run(tmp_path):
    b = _e2(tmp_path)
    _excel_done(b)
    session = b.shopify_session("M", "2026-03-02_1", {"DHL_Orders": ORDERS})
    first = run(b.root)
    counts = (PackingList.objects.count(), Order.objects.count(), ScanEvent.objects.count(),
              Worker.objects.count(), LegacyStatRecord.objects.count(), SkuMapping.objects.count())
    second = run(b.root)
    assert second["lists"] == [] and second["clients"]["M"]["imported"]["orders"] == 0
    assert second["clients"]["M"]["skipped_already_imported"] == {"sessions": 2, "lists": 2}
    assert (PackingList.objects.count(), Order.objects.count(), ScanEvent.objects.count(),
            Worker.objects.count(), LegacyStatRecord.objects.count(),
            SkuMapping.objects.count()) == counts
    # A new session folder and a new list in a known session: only those are imported.
    b.shopify_session("M", "2026-03-03_1", {"PostOne": ORDERS[:1]})
    b.json(session / "packing_lists" / "Speedy.json", {"orders": [
        {"order_number": "#9", "courier": "Speedy", "items": [{"sku": "X", "quantity": 1}]}]})
    third = run(b.root)
    assert {(f["session"], f["list"]) for f in third["lists"]} == {
        ("2026-03-03_1", "PostOne"), ("2026-03-02_1", "Speedy")}
    assert len(first["lists"]) == 2


def test_dry_run_writes_nothing_and_reports_the_same_figures(tmp_path):
    b = _e2(tmp_path)
    _excel_done(b)
    dry = run(b.root, dry_run=True)
    assert dry["dry_run"] and figures(dry, "orders_0311")["packed_units"] == 7
    assert not Client.objects.exists() and not PackingSession.objects.exists()
    assert not Worker.objects.exists() and not LegacyStatRecord.objects.exists()
    real = run(b.root)
    assert real["lists"] == dry["lists"]


def test_share_is_read_only_and_untouched(tmp_path):
    b = _e2(tmp_path)
    _excel_done(b)
    work = b.work_dir(b.shopify_session("M", "2026-03-02_1", {"DHL_Orders": ORDERS}),
                      "DHL_Orders")
    b.json(work / "packing_state.json", {"version": "1.3.0", "completed": ["#2001"]})
    b.lock(work, heartbeat="2026-03-02T10:47:00+02:00")
    before = snapshot(b.root)
    make_read_only(b.root)
    try:
        report = run(b.root)
    finally:
        make_writable(b.root)
    assert len(report["lists"]) == 2 and report["problems"] == []
    assert snapshot(b.root) == before


def test_naive_timestamps_use_the_timezone_option(tmp_path):
    b = _e2(tmp_path)
    _excel_done(b)
    run(b.root, timezone="America/New_York")
    order = Order.objects.get(number="#2001")
    # The report's Completed At (10:10 EDT) beats the backup's write time (10:20).
    assert order.completed_at.isoformat() == "2025-10-29T14:10:00+00:00"


def test_stats_history_is_imported_once(tmp_path):
    b, e1 = _e2(tmp_path), _e1(tmp_path)
    v11 = {"processed_order_ids": ["#1"], "completed_order_ids": ["#1"], "version": "1.1",
           "client_stats": {"M": {"total_sessions": 1}},
           "session_history": [{"session_id": "2025-10-29_10-00", "client_id": "M",
                                "end_time": "2025-10-29T10:30:00", "orders_completed": 3,
                                "items_packed": 7, "duration_seconds": 1800.5}]}
    b.json(e1.d("Stats") / "stats.json", v11)
    b.json(b.d("Stats") / "global_stats.json", dict(v11, packing_history=[{
        "timestamp": "2026-01-02T10:00:00", "client_id": "M",
        "session_id": "\\\\192.168.88.101\\x\\Sessions\\CLIENT_M\\2025-12-01_2_DHL_Orders",
        "worker_id": "worker_001", "orders_count": 38, "items_count": 90,
        "metadata": {"packing_list_name": "DHL_Orders"}}], by_client={"M": {"sessions": 1}},
        total_sessions=1))
    report = run(tmp_path)
    assert report["stats_records"]["created"] == LegacyStatRecord.objects.count()
    packing = LegacyStatRecord.objects.get(kind="packing")
    assert (packing.session_external_id, packing.list_name) == ("2025-12-01_2", "DHL_Orders")
    assert packing.worker.legacy_id == "worker_001" and packing.possibly_double_counted
    # The 1.1 history copied into global_stats.json is the same history: stored once.
    assert LegacyStatRecord.objects.filter(kind="session").count() == 1
    assert LegacyStatRecord.objects.filter(kind="worker_totals").count() == 2
    again = run(tmp_path)
    assert again["stats_records"]["created"] == 0


def test_command_text_report_json_and_plain_progress(tmp_path):
    b = _e2(tmp_path)
    _excel_done(b)
    out, err = StringIO(), StringIO()
    target = tmp_path / "report.json"
    call_command("import_legacy", str(b.root), "--report-json", str(target), stdout=out,
                 stderr=err)
    assert "[1/1] M / 2025-10-29_10-00" in err.getvalue()  # not a TTY: plain lines
    assert "client M: 1 sessions, 1 lists, 3 orders, 4 lines, 7 items" in out.getvalue()
    data = json.loads(target.read_text(encoding="utf-8"))
    assert set(data["lists"][0]) == {"client", "session", "list", "orders", "lines", "units",
                                     "packed_units", "completed_orders", "skipped_orders",
                                     "state"}
    assert data["problems"] == []
    with pytest.raises(Exception, match="not a folder"):
        call_command("import_legacy", str(tmp_path / "nope"))


def test_a_session_failing_while_written_leaves_nothing_and_others_import(tmp_path, monkeypatch):
    from sessions.legacy import writer

    b = _e2(tmp_path)
    for sid in ("2026-03-02_1", "2026-03-02_2", "2026-03-02_3"):
        work = b.work_dir(b.shopify_session("M", sid, {"DHL_Orders": ORDERS}), "DHL_Orders")
        b.json(work / "packing_state.json", {"version": "1.3.0", "pc_name": "WH-NEW",
                                             "completed": ["#2001"]})
    real = writer._order_row

    def flaky(plist, op, *args):
        if plist.session.external_id == "2026-03-02_1":
            raise RuntimeError("disk on fire")
        return real(plist, op, *args)

    monkeypatch.setattr(writer, "_order_row", flaky)
    report = run(b.root)
    assert [f["session"] for f in report["lists"]] == ["2026-03-02_2", "2026-03-02_3"]
    assert any("disk on fire" in r for r in problem_reasons(report))
    assert not PackingSession.objects.filter(external_id="2026-03-02_1").exists()
    assert Order.objects.filter(completed_station__name="WH-NEW").count() == 2


def test_progress_bar_on_a_terminal(tmp_path):
    class Terminal(StringIO):
        def isatty(self):
            return True

    b = _e2(tmp_path)
    _excel_done(b)
    err = Terminal()
    call_command("import_legacy", str(b.root), stdout=StringIO(), stderr=err)
    assert "Importing: 100%" in err.getvalue() and "1/1" in err.getvalue()
