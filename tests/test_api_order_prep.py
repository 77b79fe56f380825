"""The read API of the order-prep side (issue 14): an order by client and number, and a
session's progress with the fields of the old `packing_progress` block."""

import pytest
from rest_framework.test import APIClient

from sessions.scanning.codes import perform_action, scan
from tests.api_helpers import assert_error, role_client
from tests.builders import (
    build_client,
    build_list,
    build_session,
    build_station,
    build_worker,
    claimed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def packed():
    client = build_client("M")
    session = build_session(client, "2026-11-16_1")
    dhl = build_list({"#1001": [("SKU-A", 1)], "1002": [("SKU-B", 2)]}, session=session,
                     name="DHL_Orders")
    build_list({"2001": [("SKU-C", 1)]}, session=session, name="Speedy_Orders")
    claim = claimed(dhl, worker=build_worker("Dolphin"), station=build_station("PC-7"))
    scan(dhl.pk, token=claim.token, code="1001")
    scan(dhl.pk, token=claim.token, code="SKU-A")
    scan(dhl.pk, token=claim.token, code="1002")
    scan(dhl.pk, token=claim.token, code="SKU-B")
    return session, dhl


def test_an_order_by_client_and_number_says_status_packed_by_time_and_boxes(packed):
    api = role_client("packer")
    answer = api.get("/api/v1/orders/", {"client": "m", "number": "1001"})
    assert answer.status_code == 200
    [order] = answer.json()
    assert order["number"] == "#1001" and order["status"] == "completed"
    assert order["packed_by"] == "Dolphin" and order["station"] == "PC-7"
    assert order["completed_at"].endswith(("+02:00", "+03:00"))
    assert order["boxes"] == 1
    assert order["client"] == "M" and order["list"]["name"] == "DHL_Orders"
    assert order["session"]["external_id"] == "2026-11-16_1"
    [open_order] = api.get("/api/v1/orders/", {"client": "M", "number": "1002"}).json()
    assert open_order["status"] == "in_progress"
    assert (open_order["packed_by"], open_order["completed_at"], open_order["boxes"]) == (
        None, None, 0)


def test_an_order_packed_into_two_boxes_says_two(packed):
    session, _dhl = packed
    third = build_list({"3001": [("SKU-D", 2)]}, session=session, name="Boxes")
    claim = claimed(third, worker=build_worker("Orca"), station=build_station("PC-8"))
    scan(third.pk, token=claim.token, code="3001")
    scan(third.pk, token=claim.token, code="SKU-D")
    perform_action(third.pk, token=claim.token, action="new_box")
    scan(third.pk, token=claim.token, code="SKU-D")
    [order] = role_client("packer").get("/api/v1/orders/", {"client": "M", "number": "3001"}
                                        ).json()
    assert (order["status"], order["boxes"]) == ("completed", 2)


def test_order_lookup_errors(packed):
    api = role_client("packer")
    assert_error(api.get("/api/v1/orders/", {"client": "M"}), 400, "invalid")
    assert_error(api.get("/api/v1/orders/", {"client": "ZZ", "number": "1"}), 404, "not_found")
    assert_error(api.get("/api/v1/orders/", {"client": "M", "number": "9999"}), 404,
                 "not_found")
    assert APIClient().get("/api/v1/orders/", {"client": "M", "number": "1001"}
                           ).status_code == 401


def test_session_progress_has_the_packing_progress_fields_per_list_and_session(packed):
    session, dhl = packed
    answer = role_client("packer").get(f"/api/v1/sessions/{session.pk}/progress/")
    assert answer.status_code == 200
    body = answer.json()
    progress = body["packing_progress"]
    assert set(progress) == {"DHL_Orders", "Speedy_Orders"}
    block = progress["DHL_Orders"]
    assert {"started_at", "status", "updated_at", "completed_orders"} <= set(block)
    assert block["status"] == "in_progress" and block["completed_orders"] == ["#1001"]
    assert block["started_at"] and block["updated_at"] >= block["started_at"]
    assert progress["Speedy_Orders"]["status"] == "not_started"
    assert progress["Speedy_Orders"]["started_at"] is None
    whole = body["session"]
    assert whole["status"] == "in_progress" and whole["completed_orders"] == ["#1001"]
    assert whole["started_at"] == block["started_at"] and whole["orders"] == 3
    assert whole["external_id"] == "2026-11-16_1"


def test_a_completed_session_says_completed(packed):
    from sessions.lifecycle import end_list
    from tests.builders import supervisor_approval

    session, dhl = packed
    for pl in session.lists.all():
        end_list(pl.pk, by_user=build_worker("Sue", role="supervisor").user, force=True,
                 approver=supervisor_approval())
    body = role_client("supervisor").get(f"/api/v1/sessions/{session.pk}/progress/").json()
    assert body["session"]["status"] == "completed"
    assert {v["status"] for v in body["packing_progress"].values()} == {"completed"}
    assert body["session"]["completed_at"]


def test_both_endpoints_are_in_the_published_schema():
    schema = APIClient().get("/api/v1/schema/",
                             HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    lookup = schema["paths"]["/api/v1/orders/"]["get"]
    assert {p["name"] for p in lookup["parameters"]} >= {"client", "number"}
    assert {"200", "400", "404"} <= set(lookup["responses"])
    progress = schema["paths"]["/api/v1/sessions/{id}/progress/"]["get"]
    ref = progress["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
    assert {"session", "packing_progress"} <= set(fields)
