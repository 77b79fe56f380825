"""The OpenAPI schema is valid (no warnings) and documents the station contract; docs page."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/auth/token/", "/api/v1/lists/{id}/", "/api/v1/lists/{id}/orders/",
    "/api/v1/lists/{id}/claim/", "/api/v1/lists/{id}/heartbeat/", "/api/v1/lists/{id}/release/",
    "/api/v1/lists/{id}/takeover/", "/api/v1/lists/{id}/force-release/",
    "/api/v1/lists/{id}/scan/", "/api/v1/lists/{id}/action/", "/api/v1/lists/{id}/end/",
    "/api/v1/lists/{id}/report.xlsx",
]


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/lists/{id}/scan/" in out.read_text()


def test_schema_endpoint_documents_the_station_contract():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    for path in CONTRACT_PATHS:
        assert path in schema["paths"], path
    scan = schema["paths"]["/api/v1/lists/{id}/scan/"]["post"]
    assert {"200", "400", "401", "404", "409"} <= set(scan["responses"])
    assert any(p["name"] == "X-Claim-Token" and p["in"] == "header" for p in scan["parameters"])
    claimed = schema["paths"]["/api/v1/lists/{id}/claim/"]["post"]["responses"]["409"]
    ref = claimed["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"code", "message", "holder", "station", "since", "stale"} <= set(
        schema["components"]["schemas"][ref]["properties"])
    actions = schema["components"]["schemas"]["ActionRequestRequest"]["properties"]["action"]
    assert actions


def component(schema, response):
    return schema["components"]["schemas"][
        response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]


def test_schema_documents_approvals_reasons_and_releases():
    """Issue 10: the new codes and fields are part of the documented contract."""
    schema = APIClient().get("/api/v1/schema/",
                             HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    action = paths["/api/v1/lists/{id}/action/"]["post"]
    refused = action["responses"]["403"]
    assert "approval_required" in refused["description"]
    assert "approval_refused" in refused["description"]
    approval = component(schema, refused)
    assert {"code", "message", "approve_with", "action", "mapping", "units"} <= \
        set(approval["properties"])
    assert "reason_required" in action["responses"]["400"]["description"]
    assert "reasons" in component(schema, action["responses"]["400"])["properties"]
    request = components["ActionRequestRequest"]["properties"]
    assert {"reason", "note", "approval"} <= set(request)
    assert {"badge", "username", "pin"} <= set(components["ApprovalRequest"]["properties"])
    enum = components[request["action"]["$ref"].rsplit("/", 1)[-1]]["enum"]
    assert "flag" in enum
    for path in ("/api/v1/lists/{id}/claim/", "/api/v1/lists/{id}/end/"):
        body = components[paths[path]["post"]["requestBody"]["content"]["application/json"][
            "schema"]["$ref"].rsplit("/", 1)[-1]]
        assert "approval" in body["properties"], path
    claim = paths["/api/v1/lists/{id}/claim/"]["post"]["responses"]["409"]
    assert "release_cooldown" in claim["description"]
    assert {"released_by", "released_at", "reason", "until", "approve_with", "can_take_over"} \
        <= set(component(schema, claim)["properties"])
    holder = paths["/api/v1/lists/{id}/heartbeat/"]["post"]["responses"]["409"]
    assert "ended" in component(schema, holder)["properties"]
    assert "/api/v1/orders/{id}/review/" in paths


def test_schema_documents_imports_problem_orders_and_kept_extras():
    schema = APIClient().get("/api/v1/schema/",
                             HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    for path in ("/api/v1/imports/file/", "/api/v1/imports/packing-list/"):
        responses = paths[path]["post"]["responses"]
        assert {"200", "201", "400", "409"} <= set(responses), path
        assert "duplicate_of" in component(schema, responses["200"])["properties"]
        overlap = component(schema, responses["409"])
        assert {"code", "orders", "count", "replaceable"} <= set(overlap["properties"])
        assert {"left_out", "replaced", "reships"} <= \
            set(component(schema, responses["201"])["properties"])
    assert {"number", "session", "list", "status"} <= \
        set(components["DuplicateOrder"]["properties"])
    push = components["PackingListPushRequest"]["properties"]
    assert "on_duplicates" in push
    order = components["OrderPayload"]["properties"]
    assert {"extras_kept", "problem", "problem_note", "reship_of"} <= set(order)
    assert "extras_kept" in components["ItemPayload"]["properties"]
    assert "needs_review" in str(components["OrderStatusEnum"]["enum"])
    assert "needs_review_orders" in components["ListPayload"]["properties"]


def test_docs_page_is_served_without_a_cdn():
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
