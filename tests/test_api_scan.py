"""POST /api/v1/lists/{id}/scan/: outcomes, idempotent retries, refusals, query budget."""

import pytest

from sessions.models import OrderItem, PackingList, ScanEvent
from tests.api_helpers import assert_error, claim, role_client, scan, url
from tests.builders import build_client, build_list, build_mapping, build_session, build_station

pytestmark = pytest.mark.django_db

# Measured: 14 on SQLite (1 for the API: token with the role in the same query; 13 for the
# scan transaction, savepoints included). A new query on the hot path must be a decision.
SCAN_QUERY_BUDGET = 15
LINES = {"ORDER-001": [("SKU-A", 2), ("SKU-B", 1)], "ORDER-002": [("SKU-C", 1)]}


@pytest.fixture
def station_api():
    """A packer holding a fresh list at PC-1: (api client, list, token)."""
    packing_list = build_list(LINES, session=build_session(build_client("M")))
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    return api, packing_list, token


def test_order_then_items_to_completion(station_api):
    api, packing_list, token = station_api
    response = scan(api, packing_list.pk, token, "#ORDER-001!")
    assert response.status_code == 200
    body = response.json()
    assert {"outcome", "message", "order", "list"} <= set(body)
    assert body["outcome"] == "order_loaded" and body["message"]
    assert body["order"]["number"] == "ORDER-001"
    assert [(i["sku"], i["packed"], i["required"]) for i in body["order"]["items"]] == [
        ("SKU-A", 0, 2), ("SKU-B", 0, 1)]
    assert body["list"]["open_order"] == body["order"]["id"]

    assert scan(api, packing_list.pk, token, "sku-a").json()["outcome"] == "item_ok"
    second = scan(api, packing_list.pk, token, "SKU-A").json()
    assert second["outcome"] == "item_ok"
    assert second["order"]["items"][0]["packed"] == 2
    done = scan(api, packing_list.pk, token, "SKU-B").json()
    assert done["outcome"] == "order_complete"
    assert done["order"]["status"] == "completed"
    assert done["list"]["completed_orders"] == 1 and done["list"]["packed_units"] == 3


def test_mistakes_are_answers_not_errors(station_api):
    api, packing_list, token = station_api
    assert scan(api, packing_list.pk, token, "NOPE-9").json()["outcome"] == "order_not_found"
    scan(api, packing_list.pk, token, "ORDER-001")
    assert scan(api, packing_list.pk, token, "ZZZ").json()["outcome"] == "unknown_item"
    assert scan(api, packing_list.pk, token, "ORDER-002").json()["outcome"] == "other_order_label"
    scan(api, packing_list.pk, token, "SKU-B")
    assert scan(api, packing_list.pk, token, "SKU-B").json()["outcome"] == "extra_item"


def test_mapped_barcode_packs_its_sku(station_api):
    api, packing_list, token = station_api
    build_mapping(packing_list.session.client, "7290018664100", "SKU-C")
    scan(api, packing_list.pk, token, "ORDER-002")
    body = scan(api, packing_list.pk, token, "7290018664100").json()
    assert body["outcome"] == "order_complete"


def test_a_retried_scan_id_returns_the_first_answer_and_counts_once(station_api):
    api, packing_list, token = station_api
    scan(api, packing_list.pk, token, "ORDER-001")
    first = scan(api, packing_list.pk, token, "SKU-A", scan_id="retry-1").json()
    again = scan(api, packing_list.pk, token, "SKU-A", scan_id="retry-1").json()
    assert again["duplicate"] is True and first["duplicate"] is False
    assert again["outcome"] == first["outcome"] == "item_ok"
    assert again["order"] == first["order"]
    assert OrderItem.objects.get(order__packing_list=packing_list, sku="SKU-A").packed == 1
    assert ScanEvent.objects.filter(packing_list=packing_list, scan_id="retry-1").count() == 1


def test_a_scan_id_reused_for_another_code_is_409(station_api):
    api, packing_list, token = station_api
    scan(api, packing_list.pk, token, "ORDER-001", scan_id="same")
    assert_error(scan(api, packing_list.pk, token, "SKU-A", scan_id="same"), 409,
                 "scan_id_conflict")


def test_only_the_claim_token_may_scan(station_api):
    api, packing_list, token = station_api
    path = url(packing_list.pk, "scan/")
    assert_error(api.post(path, {"code": "ORDER-001"}, format="json"), 409, "not_claim_holder")
    assert_error(api.post(path, {"code": "ORDER-001"}, format="json",
                          HTTP_X_CLAIM_TOKEN="00000000-0000-4000-8000-000000000000"),
                 409, "not_claim_holder")
    assert not ScanEvent.objects.filter(packing_list=packing_list).exists()


def test_bad_requests_are_400_and_change_nothing(station_api):
    api, packing_list, token = station_api
    path = url(packing_list.pk, "scan/")
    for body in ({}, {"code": ""}, {"code": "   "}, {"code": "X", "scan_id": "s" * 101}):
        assert_error(api.post(path, body, format="json", HTTP_X_CLAIM_TOKEN=token), 400,
                     "invalid")
    assert not ScanEvent.objects.filter(packing_list=packing_list).exists()


def test_unknown_or_ended_list(station_api):
    api, packing_list, token = station_api
    assert_error(scan(api, 999999, token, "ORDER-001"), 404, "not_found")
    PackingList.objects.filter(pk=packing_list.pk).update(status="completed")
    assert_error(scan(api, packing_list.pk, token, "ORDER-001"), 409, "list_completed")


def test_scan_query_count_is_bounded(station_api, django_assert_max_num_queries):
    """The hot path: token auth + role + the scan transaction stays within a fixed budget,
    whatever the size of the order or list."""
    api, packing_list, token = station_api
    for i in range(20):
        OrderItem.objects.create(order=packing_list.orders.get(number="ORDER-001"),
                                 line_number=10 + i, sku=f"FILL-{i}",
                                 normalized_sku=f"fill{i}", required=1)
    scan(api, packing_list.pk, token, "ORDER-001")
    with django_assert_max_num_queries(SCAN_QUERY_BUDGET):
        assert scan(api, packing_list.pk, token, "SKU-A").json()["outcome"] == "item_ok"
    with django_assert_max_num_queries(SCAN_QUERY_BUDGET):
        assert scan(api, packing_list.pk, token, "ZZZ").json()["outcome"] == "unknown_item"
