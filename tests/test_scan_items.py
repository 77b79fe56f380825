"""Item scans (scenarios 6–12, 18): units, completion, unknown, extras, matching, mappings."""

import pytest

from profiles.models import SkuMapping
from sessions.models import Order, OrderExtra, OrderItem, PackingList, ScanEvent
from sessions.scanning.codes import perform_action, scan
from tests.builders import build_list, build_mapping, build_station, build_worker, claimed

pytestmark = pytest.mark.django_db


def do_scan(claim, code):
    return scan(claim.list_id, token=claim.token, code=code)


def opened(orders, number=None):
    claim = claimed(build_list(orders))
    do_scan(claim, number or next(iter(orders)))
    return claim


def line(sku):
    return OrderItem.objects.get(sku=sku)


def test_s06_line_needing_two_units_goes_0_1_2_and_is_complete_only_at_2():
    claim = opened({"O-1": [("SKU-A", 2)]})
    first = do_scan(claim, "SKU-A")
    assert first["outcome"] == "item_ok"
    line_a = first["order"]["items"][0]
    assert (line_a["packed"], line_a["complete"]) == (1, False)
    assert Order.objects.get().status == Order.Status.IN_PROGRESS
    second = do_scan(claim, "SKU-A")
    assert second["outcome"] == "order_complete"
    line_a = second["order"]["items"][0]
    assert (line_a["packed"], line_a["complete"]) == (2, True)


def test_s07_order_completes_when_every_line_complete_and_leaves_open_state_at_once():
    claim = opened({"O-1": [("SKU-A", 1), ("SKU-B", 1)], "O-2": [("SKU-C", 1)]})
    assert do_scan(claim, "SKU-A")["outcome"] == "item_ok"
    answer = do_scan(claim, "SKU-B")
    assert answer["outcome"] == "order_complete"
    assert "complete" in answer["message"].lower()
    assert answer["order_completed"] is True
    assert answer["list"]["open_order"] is None
    order = Order.objects.get(number="O-1")
    assert order.status == Order.Status.COMPLETED
    assert order.completed_at is not None and order.first_item_at is not None
    assert order.completed_by == claim.worker and order.completed_station == claim.station
    assert PackingList.objects.get().open_order_id is None
    # The next scan is an order scan again.
    assert do_scan(claim, "O-2")["outcome"] == "order_loaded"


def test_s08_sku_not_in_order_is_unknown_and_counted():
    claim = opened({"O-1": [("SKU-A", 1)]})
    answer = do_scan(claim, "SKU-ZZZ")
    assert answer["outcome"] == "unknown_item"
    assert "SKU-ZZZ" in answer["message"]
    assert answer["order"]["unknown_scans"] == 1
    assert Order.objects.get().unknown_scans == 1
    assert line("SKU-A").packed == 0
    assert ScanEvent.objects.filter(outcome="unknown_item", quantity=0).count() == 1


def test_s09_sku_with_full_lines_is_an_extra_counted_per_sku_never_accepted():
    claim = opened({"O-1": [("SKU-A", 1), ("SKU-B", 1)]})
    do_scan(claim, "SKU-A")
    answer = do_scan(claim, "SKU-A")
    assert answer["outcome"] == "extra_item"
    assert "SKU-A" in answer["message"]
    do_scan(claim, "SKU-A")
    extra = OrderExtra.objects.get()
    assert (extra.sku, extra.pending) == ("SKU-A", 2)
    assert Order.objects.get().extra_scans == 2
    assert line("SKU-A").packed == 1
    assert answer["order"]["extras"] == [{"sku": "SKU-A", "pending": 1, "kept": 0, "removed": 0}]


@pytest.mark.parametrize("code", ["sku-aaa", "SKU AAA", "skuaaa", "SKU_AAA!"])
def test_s10_matching_ignores_case_and_punctuation(code):
    claim = opened({"O-1": [("SKU-AAA", 1)]})
    assert do_scan(claim, code)["outcome"] == "order_complete"


def test_s10_leading_zeros_count():
    claim = opened({"O-1": [("007-A", 1), ("X", 1)]})
    assert do_scan(claim, "7-A")["outcome"] == "unknown_item"
    assert do_scan(claim, "007a")["outcome"] == "item_ok"


def test_s11_client_mapping_barcode_packs_the_mapped_line():
    claim = opened({"O-1": [("INTERNAL-SKU-1", 1), ("X", 1)]})
    build_mapping(claim.packing_list.session.client, "7290018664100", "INTERNAL-SKU-1")
    answer = do_scan(claim, "7290018664100")
    assert answer["outcome"] == "item_ok"
    assert line("INTERNAL-SKU-1").packed == 1


def test_s11_mapping_wins_over_direct_match_and_has_no_fallback():
    claim = opened({"O-1": [("ABC", 1), ("DEF", 1)]})
    build_mapping(claim.packing_list.session.client, "ABC", "OTHER")
    assert do_scan(claim, "abc")["outcome"] == "unknown_item"


def test_s11_other_clients_mapping_is_ignored():
    claim = opened({"O-1": [("INTERNAL-SKU-1", 1), ("X", 1)]})
    other = build_list().session.client
    build_mapping(other, "7290018664100", "INTERNAL-SKU-1")
    assert do_scan(claim, "7290018664100")["outcome"] == "unknown_item"


def test_s12_two_lines_with_same_sku_fill_one_after_the_other():
    claim = opened({"O-1": [("SKU-A", 1), ("SKU-B", 1), ("SKU-A", 2)]})
    do_scan(claim, "SKU-A")
    packed = dict(OrderItem.objects.values_list("line_number", "packed"))
    assert packed == {1: 1, 2: 0, 3: 0}
    do_scan(claim, "SKU-A")
    do_scan(claim, "SKU-A")
    packed = dict(OrderItem.objects.values_list("line_number", "packed"))
    assert packed == {1: 1, 2: 0, 3: 2}
    assert do_scan(claim, "SKU-A")["outcome"] == "extra_item"


def test_complete_with_extras_keeps_order_open():
    claim = opened({"O-1": [("SKU-A", 1), ("SKU-B", 1)]})
    do_scan(claim, "SKU-A")
    do_scan(claim, "SKU-A")
    answer = do_scan(claim, "SKU-B")
    assert answer["outcome"] == "complete_with_extras"
    assert answer["list"]["open_order"] == Order.objects.get().pk
    assert Order.objects.get().status == Order.Status.IN_PROGRESS


def test_s18_station_mapping_takes_effect_on_next_scan_for_every_station_of_client():
    first = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    client = first.packing_list.session.client
    second = claimed(build_list({"O-9": [("SKU-A", 2)]}, client=client),
                     worker=build_worker(), station=build_station())
    do_scan(first, "O-1")
    do_scan(second, "O-9")
    assert do_scan(first, "4006381333931")["outcome"] == "unknown_item"
    mapped = perform_action(first.list_id, token=first.token, action="map",
                            barcode="4006381333931", sku="SKU-A")
    assert mapped["outcome"] == "mapped"
    assert SkuMapping.objects.get(client=client).sku == "SKU-A"
    assert do_scan(first, "4006381333931")["outcome"] == "item_ok"
    assert do_scan(second, "4006381333931")["outcome"] == "item_ok"


def test_cyrillic_skus_match_case_insensitively():
    claim = opened({"O-1": [("Футболка-XL", 1)]})
    assert do_scan(claim, "футболкаxl")["outcome"] == "order_complete"
