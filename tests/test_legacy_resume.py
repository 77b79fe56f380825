"""A list that crashed mid-packing in the old app is resumed and finished on the server,
exactly where packing stopped, with the imported SKU mapping, and its log still replays."""

import pytest
from django.contrib.auth import get_user_model

from profiles.models import Station, Worker
from sessions.claims import claim_list
from sessions.models import Order, OrderExtra, PackingList
from sessions.scanning.codes import perform_action, scan
from tests.legacy_fixtures.builder import ShareBuilder, item_states
from tests.legacy_fixtures.helpers import assert_log_replays, figures, run

pytestmark = pytest.mark.django_db

ORDERS = [("#5001", [("A-1", 1)]), ("#5002", [("B-2", 2), ("A-1", 1)]), ("#5003", [("C-3", 1)])]


def _crashed_share(tmp_path):
    b = ShareBuilder(tmp_path / "share")
    b.client("M", name="M", mapping={"4800000000011": "A-1"})
    work = b.work_dir(b.shopify_session("M", "2026-05-04_1", {"DHL_Orders": ORDERS}),
                      "DHL_Orders")
    b.json(work / "packing_state.json", {
        "version": "1.3.0", "session_id": "2026-05-04_1", "client_id": "M",
        "started_at": "2026-05-04T09:00:00+03:00", "last_updated": "2026-05-04T09:10:00+03:00",
        "status": "in_progress", "pc_name": "WH-PACK-01",
        "progress": {"total_orders": 3, "completed_orders": 1, "in_progress_order": "#5002"},
        "in_progress": {"#5002": item_states(ORDERS[1][1], {0: 2}),
                        "_timing": {"current_order_start_time": "2026-05-04T09:05:00+03:00",
                                    "items_scanned": [], "corrections": 0,
                                    "extra_scan_count": 1, "unknown_scan_count": 0}},
        "_current_extras": {"b2": 1},
        "completed": [{"order_number": "#5001", "started_at": "2026-05-04T09:01:00+03:00",
                       "completed_at": "2026-05-04T09:02:00+03:00", "items_count": 1,
                       "items": [{"sku": "a1", "quantity": 1, "row": 0,
                                  "scanned_at": "2026-05-04T09:01:30+03:00",
                                  "confirmation_method": "scanned"}]}],
        "skipped_orders": []})
    b.lock(work, heartbeat="2026-05-04T09:10:00+03:00")
    return b


def test_crashed_list_is_resumed_and_finished_after_import(tmp_path):
    report = run(_crashed_share(tmp_path).root)
    assert figures(report, "DHL_Orders") == {
        "orders": 3, "lines": 4, "units": 5, "packed_units": 3, "completed_orders": 1,
        "skipped_orders": 0, "state": "in_progress"}
    plist = PackingList.objects.get()
    assert plist.claim_token is None and plist.open_order_id is None
    assert len(report["locks"]) == 1

    user = get_user_model().objects.create_user("packer")
    worker = Worker.objects.create(user=user, display_name="Packer")
    station = Station.objects.create(name="ST-1")
    token = claim_list(plist.pk, worker=worker, station=station).claim_token

    assert scan(plist.pk, token=token, code="5001")["outcome"] == "order_already_completed"
    answer = scan(plist.pk, token=token, code="#5002")
    assert answer["outcome"] == "order_loaded"
    # The over-scan pending in the old app must still be resolved before the order completes.
    assert scan(plist.pk, token=token, code="4800000000011")["outcome"] == \
        "complete_with_extras"  # mapped barcode → A-1
    extra = OrderExtra.objects.get(order__number="#5002")
    done = perform_action(plist.pk, token=token, action="remove_extra", sku=extra.sku)
    assert Order.objects.get(number="#5002").status == "completed", done["outcome"]
    assert scan(plist.pk, token=token, code="5003")["outcome"] == "order_loaded"
    last = scan(plist.pk, token=token, code="c-3")
    assert last["outcome"] == "order_complete" and last["all_done"] is True
    plist.refresh_from_db()
    assert sorted(Order.objects.values_list("status", flat=True)) == ["completed"] * 3
    assert_log_replays(plist)
