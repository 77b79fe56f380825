"""Packaging barcodes (issue 13): a mapping's `quantity` packs N units of its line in one scan.

`units` in the answer; `pack_exceeds_line` (nothing packed) when the line needs fewer than N;
undo takes the whole pack back; the list counters, replay, metrics and the list summary count
units; the scan stays inside its query budget.
"""

import pytest
from django.db import IntegrityError, transaction

from profiles.models import SkuMapping
from sessions.metrics import list_metrics
from sessions.models import OrderItem, PackingList, ScanEvent
from sessions.outcomes import TONES, WRONG, Outcome, Tone
from sessions.replay import replay_counters, stored_counters
from sessions.reports import list_summary
from sessions.scanning.codes import perform_action, scan
from tests.builders import FILL, build_list, build_mapping, claimed
from tests.test_scan_queries import ITEM_SCAN_MAX

pytestmark = pytest.mark.django_db


@pytest.fixture
def st():
    """Order O-1 needs 12 × WATER and 1 × CUP; the 6-pack's barcode maps WATER × 6."""
    packing_list = build_list({"O-1": [("WATER", 12), ("CUP", 1)], "O-2": [("WATER", 4)]})
    client = packing_list.session.client
    SkuMapping.objects.create(client=client, barcode="6PACK-111", sku="WATER", quantity=6)
    build_mapping(client, "SINGLE-222", "WATER")
    claim = claimed(packing_list)
    scan(claim.list_id, token=claim.token, code="O-1")
    return claim


def do(claim, code):
    return scan(claim.list_id, token=claim.token, code=code)


def water():
    return OrderItem.objects.get(order__number="O-1", sku="WATER")


def list_row(claim):
    return PackingList.objects.get(pk=claim.list_id)


def test_quantity_defaults_to_one_and_the_database_refuses_less(st):
    assert SkuMapping.objects.get(barcode="SINGLE-222").quantity == 1
    mapping = SkuMapping.objects.get(barcode="6PACK-111")
    for bad in (0, -1):
        with pytest.raises(IntegrityError), transaction.atomic():
            SkuMapping.objects.filter(pk=mapping.pk).update(quantity=bad)


def test_a_pack_scan_packs_n_units_in_one_event(st):
    answer = do(st, "6PACK-111")
    assert answer["outcome"] == "item_ok"
    assert answer["units"] == 6
    assert "6" in answer["message"]
    assert water().packed == 6
    assert answer["order"]["items"][0]["packed"] == 6
    event = ScanEvent.objects.filter(action="scan", item=water()).get()
    assert event.quantity == 6
    assert list_row(st).packed_units == 6
    # A single unit still answers units 1.
    assert do(st, "SINGLE-222")["units"] == 1
    assert water().packed == 7


def test_a_pack_that_fills_the_last_line_completes_the_order(st):
    do(st, "CUP")
    do(st, "6PACK-111")
    answer = do(st, "6PACK-111")
    assert answer["outcome"] == "order_complete"
    assert answer["order_completed"] is True
    assert list_row(st).completed_orders == 1


def test_a_pack_bigger_than_what_the_line_needs_packs_nothing(st):
    do(st, "6PACK-111")
    for _n in range(3):
        do(st, "SINGLE-222")  # 9 of 12: 3 more needed
    before = list_row(st)
    answer = do(st, "6PACK-111")
    assert answer["outcome"] == "pack_exceeds_line" == Outcome.PACK_EXCEEDS_LINE
    assert answer["units"] == 0 and answer["pack"] == 6 and answer["needed"] == 3
    assert "single units" in answer["message"]
    assert water().packed == 9
    after = list_row(st)
    assert after.packed_units == before.packed_units
    assert after.wrong_scans == before.wrong_scans  # not a wrong item: the packer scans singles
    assert TONES[Outcome.PACK_EXCEEDS_LINE] == Tone.WARN and Outcome.PACK_EXCEEDS_LINE not in WRONG
    assert answer["order"]["extras"] == []  # and no pending extra either
    event = ScanEvent.objects.latest("pk")
    assert (event.outcome, event.quantity) == ("pack_exceeds_line", 0)


def test_a_pack_on_a_full_line_is_refused_too_not_an_extra(st):
    do(st, "6PACK-111")
    do(st, "6PACK-111")
    answer = do(st, "6PACK-111")
    assert answer["outcome"] == "pack_exceeds_line"
    assert answer["needed"] == 0
    assert not st.packing_list.orders.get(number="O-1").extras.exists()


def test_undo_takes_back_the_whole_pack_then_the_unit_before(st):
    do(st, "SINGLE-222")
    do(st, "6PACK-111")
    answer = perform_action(st.list_id, token=st.token, action="undo", item=water().pk)
    assert answer["outcome"] == "undone"
    assert answer["units"] == -6
    assert water().packed == 1
    assert ScanEvent.objects.latest("pk").quantity == -6
    perform_action(st.list_id, token=st.token, action="undo", item=water().pk)
    assert water().packed == 0
    assert list_row(st).packed_units == 0


def test_undo_after_a_single_unit_on_top_of_a_pack_takes_one(st):
    do(st, "6PACK-111")
    do(st, "SINGLE-222")
    perform_action(st.list_id, token=st.token, action="undo", item=water().pk)
    assert water().packed == 6
    perform_action(st.list_id, token=st.token, action="undo", item=water().pk)
    assert water().packed == 0


def test_units_filled_by_hand_are_still_undone_one_by_one(st):
    perform_action(st.list_id, token=st.token, action="confirm", item=water().pk, **FILL)
    do(st, "6PACK-111")
    perform_action(st.list_id, token=st.token, action="confirm", item=water().pk, **FILL)
    for expected in (7, 1, 0):
        perform_action(st.list_id, token=st.token, action="undo", item=water().pk)
        assert water().packed == expected


def test_replay_metrics_and_summary_count_units(st):
    do(st, "6PACK-111")
    do(st, "6PACK-111")
    perform_action(st.list_id, token=st.token, action="undo", item=water().pk)
    do(st, "6PACK-111")
    do(st, "6PACK-111")  # refused: full
    do(st, "CUP")  # completes O-1: 13 units
    plist = list_row(st)
    assert replay_counters(plist) == stored_counters(plist)
    assert plist.packed_units == 13
    figures = list_metrics(plist)
    assert figures["items_packed"] == 13
    summary = list_summary(plist)
    assert summary["packed_items"] == 13 and summary["completed_orders"] == 1


def test_a_pack_scan_stays_inside_the_scan_query_budget(st, django_assert_max_num_queries):
    with django_assert_max_num_queries(ITEM_SCAN_MAX):
        assert do(st, "6PACK-111")["units"] == 6
