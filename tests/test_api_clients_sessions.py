"""Clients, sessions (with their lists and counters) and order detail endpoints."""

import pytest

from sessions.counters import recount
from sessions.models import OrderItem
from tests.api_helpers import assert_error, role_client
from tests.builders import build_client, build_list, build_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return role_client("packer")


def test_clients_list_and_detail(api):
    build_client("M", "Muster GmbH")
    build_client("ZZ", "Zed")
    response = api.get("/api/v1/clients/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["code"] for c in body["results"]] == ["M", "ZZ"]
    detail = api.get(f"/api/v1/clients/{body['results'][0]['id']}/").json()
    assert detail["name"] == "Muster GmbH" and detail["active"] is True
    assert_error(api.get("/api/v1/clients/999999/"), 404, "not_found")


def test_sessions_with_lists_and_counters(api):
    client = build_client("M")
    session = build_session(client, "2025-11-19_1")
    dhl = build_list({"A-1": [("X", 2), ("Y", 1)], "A-2": [("Z", 4)]}, session=session,
                     name="DHL_Orders")
    build_list({"B-1": [("X", 1)]}, session=session, name="PostOne")
    OrderItem.objects.filter(order__packing_list=dhl, sku="X").update(packed=2)
    recount([dhl.pk])  # rows written by hand: count them on the list, as importers do
    build_session(build_client("OTHER"), "2025-11-19_1")

    response = api.get("/api/v1/sessions/", {"client": "m"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    found = body["results"][0]
    assert found["client"] == "M" and found["external_id"] == "2025-11-19_1"
    lists = {entry["name"]: entry for entry in found["lists"]}
    assert lists["DHL_Orders"]["orders"] == 2
    assert lists["DHL_Orders"]["units"] == 7
    assert lists["DHL_Orders"]["packed_units"] == 2
    assert lists["PostOne"]["units"] == 1

    detail = api.get(f"/api/v1/sessions/{session.pk}/").json()
    assert detail["lists"] == found["lists"]
    assert_error(api.get("/api/v1/sessions/999999/"), 404, "not_found")


def test_session_filters(api):
    session = build_session(build_client("M"), "2025-11-19_7")
    build_session(build_client("N"), "2025-11-20_1")
    assert api.get("/api/v1/sessions/", {"status": "completed"}).json()["count"] == 0
    body = api.get("/api/v1/sessions/", {"external_id": "2025-11-19_7"}).json()
    assert [s["id"] for s in body["results"]] == [session.pk]
    assert_error(api.get("/api/v1/sessions/", {"status": "bogus"}), 400, "invalid")


def test_session_list_query_count_does_not_grow_with_sessions(api, django_assert_max_num_queries):
    for i in range(6):
        build_list({f"A-{i}": [("X", 1)]}, session=build_session(build_client("M")))
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/sessions/").json()["count"] == 6


def test_order_detail_has_items_and_timeline(api):
    packing_list = build_list({"ORDER-001": [("SKU-A", 2, "Чаша"), ("SKU-B", 1)]})
    order = packing_list.orders.get()
    response = api.get(f"/api/v1/orders/{order.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "ORDER-001" and body["packing_list"] == packing_list.pk
    assert [(i["sku"], i["required"], i["packed"]) for i in body["items"]] == [
        ("SKU-A", 2, 0), ("SKU-B", 1, 0)]
    assert body["items"][0]["product_name"] == "Чаша"
    assert body["timeline"] == []
    assert_error(api.get("/api/v1/orders/999999/"), 404, "not_found")
