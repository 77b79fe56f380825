"""List endpoints of the station contract: the list with counters and claim, its orders."""

import pytest
from django.db.models import F
from django.utils import timezone

from sessions.counters import recount
from sessions.models import Order, OrderItem
from tests.api_helpers import assert_error, claim, role_client, url
from tests.builders import build_client, build_list, build_session, build_station

pytestmark = pytest.mark.django_db

LINES = {
    "ORDER-001": [("SKU-A", 2), ("SKU-B", 1)],
    "ORDER-002": [("SKU-C", 3)],
    "#1001": [("SKU-A", 1)],
}


@pytest.fixture
def api():
    return role_client("packer")


@pytest.fixture
def packing_list():
    packing_list = build_list(LINES, session=build_session(build_client("M"), "2025-11-19_1"),
                              name="DHL_Orders")
    first = packing_list.orders.order_by("sequence").first()
    OrderItem.objects.filter(order=first).update(packed=F("required"))
    Order.objects.filter(pk=first.pk).update(status="completed", completed_at=timezone.now())
    recount([packing_list.pk])  # rows written by hand: count them on the list, as importers do
    return packing_list


def test_list_detail_has_the_contract_fields(api, packing_list):
    response = api.get(url(packing_list.pk))
    assert response.status_code == 200
    body = response.json()
    for field in ("orders", "units", "packed_units", "completed_orders", "skipped_orders",
                  "claim"):
        assert field in body
    assert body["id"] == packing_list.pk and body["name"] == "DHL_Orders"
    assert body["client"] == "M" and body["session_external_id"] == "2025-11-19_1"
    assert body["orders"] == 3
    assert body["units"] == body["required_units"] == 7
    assert body["packed_units"] == 3
    assert body["completed_orders"] == 1
    assert body["skipped_orders"] == 0
    assert body["claim"] is None


def test_list_detail_shows_the_claim(api, packing_list):
    build_station("PC-1")
    claim(api, packing_list.pk, "PC-1")
    body = api.get(url(packing_list.pk)).json()
    assert body["claim"]["station"] == "PC-1"
    assert body["claim"]["stale"] is False and body["claim"]["active"] is True


def test_unknown_list_is_404(api):
    for path in ("", "orders/", "summary/", "metrics/", "report.xlsx"):
        assert_error(api.get(url(999999, path)), 404, "not_found")


def test_orders_of_a_list_with_items_and_status(api, packing_list):
    response = api.get(url(packing_list.pk, "orders/"))
    assert response.status_code == 200
    orders = response.json()
    assert [o["number"] for o in orders] == ["ORDER-001", "ORDER-002", "#1001"]
    assert [o["status"] for o in orders] == ["completed", "new", "new"]
    assert [(i["sku"], i["required"], i["packed"]) for i in orders[0]["items"]] == [
        ("SKU-A", 2, 2), ("SKU-B", 1, 1)]
    assert orders[1]["items"][0]["packed"] == 0
    new_only = api.get(url(packing_list.pk, "orders/"), {"status": "new"}).json()
    assert [o["number"] for o in new_only] == ["ORDER-002", "#1001"]


def test_orders_query_count_does_not_grow_with_orders(api, django_assert_max_num_queries):
    packing_list = build_list({f"O-{i}": [("A", 1), ("B", 2)] for i in range(30)})
    with django_assert_max_num_queries(8):
        assert len(api.get(url(packing_list.pk, "orders/")).json()) == 30


def test_lists_index_filters_and_counters(api, packing_list):
    other = build_list({"X-1": [("A", 5)]}, session=build_session(build_client("N")))
    body = api.get("/api/v1/lists/", {"client": "M"}).json()
    assert [entry["id"] for entry in body["results"]] == [packing_list.pk]
    entry = body["results"][0]
    assert entry["units"] == 7 and entry["completed_orders"] == 1 and entry["claim"] is None
    build_station("PC-1")
    claim(api, other.pk, "PC-1")
    claimed = api.get("/api/v1/lists/", {"claimed": "true"}).json()["results"]
    assert [entry["id"] for entry in claimed] == [other.pk]
    assert claimed[0]["claim"]["station"] == "PC-1"
