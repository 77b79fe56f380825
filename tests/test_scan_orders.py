"""Order scans (scenarios 1–5): open, not found, punctuation, completed, another order's label."""

import pytest

from sessions.models import Order, PackingList, ScanEvent
from sessions.scanning.codes import perform_action, scan
from tests.builders import build_list, claimed

pytestmark = pytest.mark.django_db


@pytest.fixture
def station():
    packing_list = build_list({
        "ORDER-001": [("SKU-A", 2), ("SKU-B", 1)],
        "#1001": [("SKU-C", 1)],
        "ORDER-003": [("SKU-A", 1)],
    })
    return claimed(packing_list)


def do_scan(claim, code, **kwargs):
    return scan(claim.list_id, token=claim.token, code=code, **kwargs)


def open_order_id(claim):
    return PackingList.objects.get(pk=claim.list_id).open_order_id


def test_s01_order_scan_opens_order_and_shows_lines_with_packed_and_required(station):
    answer = do_scan(station, "ORDER-001")
    assert answer["outcome"] == "order_loaded"
    order = Order.objects.get(number="ORDER-001")
    assert open_order_id(station) == order.pk
    assert answer["list"]["open_order"] == order.pk
    assert answer["order"]["number"] == "ORDER-001"
    assert answer["order"]["status"] == "in_progress"
    assert [(i["sku"], i["packed"], i["required"]) for i in answer["order"]["items"]] == [
        ("SKU-A", 0, 2), ("SKU-B", 0, 1)
    ]
    order.refresh_from_db()
    assert order.status == Order.Status.IN_PROGRESS and order.started_at is not None
    event = ScanEvent.objects.get()
    assert (event.outcome, event.order_id) == ("order_loaded", order.pk)
    assert event.raw_code == "ORDER-001"
    assert event.worker == station.worker and event.station == station.station


def test_s02_unknown_number_answers_order_not_found_and_opens_nothing(station):
    answer = do_scan(station, "ORDER-999")
    assert answer["outcome"] == "order_not_found"
    assert answer["order"] is None
    assert "ORDER-999" in answer["message"]
    assert open_order_id(station) is None
    assert ScanEvent.objects.get().outcome == "order_not_found"  # logged all the same


@pytest.mark.parametrize("code", ["#ORDER-001!", " ORDER-001 ", "ORDER-001"])
def test_s03_scanner_punctuation_is_ignored(station, code):
    assert do_scan(station, code)["order"]["number"] == "ORDER-001"


@pytest.mark.parametrize("code", ["#1001", "1001"])
def test_s03_hash_numbers_found_with_or_without_hash(station, code):
    assert do_scan(station, code)["order"]["number"] == "#1001"


@pytest.mark.parametrize("code", ["#!?", "", "   ", "..."])
def test_s03_code_of_only_symbols_matches_nothing(station, code):
    assert do_scan(station, code)["outcome"] == "order_not_found"
    assert open_order_id(station) is None


def test_s03_order_numbers_keep_their_case(station):
    assert do_scan(station, "order-001")["outcome"] == "order_not_found"


def test_s04_completed_order_answers_already_completed_and_stays_closed(station):
    do_scan(station, "#1001")
    assert do_scan(station, "SKU-C")["outcome"] == "order_complete"
    answer = do_scan(station, "#1001")
    assert answer["outcome"] == "order_already_completed"
    assert open_order_id(station) is None
    assert Order.objects.get(number="#1001").status == Order.Status.COMPLETED
    assert answer["list"]["completed_orders"] == 1


def test_s05_another_orders_label_while_open_says_so_and_offers_skip(station):
    do_scan(station, "ORDER-001")
    answer = do_scan(station, "#1001")
    assert answer["outcome"] == "other_order_label"
    assert answer["other_order"]["number"] == "#1001"
    assert answer["can_skip"] is True
    assert "#1001" in answer["message"] and "ORDER-001" in answer["message"]
    order = Order.objects.get(number="ORDER-001")
    assert order.unknown_scans == 0  # not a wrong item
    assert open_order_id(station) == order.pk
    skipped = perform_action(station.list_id, token=station.token, action="skip")
    assert skipped["outcome"] == "skipped"
    assert do_scan(station, "#1001")["outcome"] == "order_loaded"


def test_item_match_wins_over_order_number_that_looks_the_same():
    packing_list = build_list({"ORDER-1": [("ORDER2", 1), ("X", 1)], "ORDER2": [("Y", 1)]})
    claim = claimed(packing_list)
    do_scan(claim, "ORDER-1")
    assert do_scan(claim, "ORDER2")["outcome"] == "item_ok"


def test_own_label_while_open_changes_nothing(station):
    do_scan(station, "ORDER-001")
    answer = do_scan(station, "ORDER-001")
    assert answer["outcome"] == "order_loaded"
    assert Order.objects.get(number="ORDER-001").unknown_scans == 0


def test_started_at_is_the_first_order_scan_and_survives_resume(station):
    do_scan(station, "ORDER-001")
    started = Order.objects.get(number="ORDER-001").started_at
    perform_action(station.list_id, token=station.token, action="skip")
    answer = do_scan(station, "ORDER-001")
    assert answer["resumed"] is True
    order = Order.objects.get(number="ORDER-001")
    assert order.started_at == started and order.status == Order.Status.IN_PROGRESS


def test_open_order_closed_elsewhere_is_no_longer_treated_as_open(station):
    do_scan(station, "ORDER-001")
    Order.objects.filter(number="ORDER-001").update(status="skipped")
    answer = do_scan(station, "#1001")
    assert answer["outcome"] == "order_loaded" and answer["order"]["number"] == "#1001"


def test_overlong_code_is_refused_before_anything_is_written(station):
    from sessions.errors import InvalidRequest

    with pytest.raises(InvalidRequest):
        do_scan(station, "9" * 501)
    assert not ScanEvent.objects.exists()
