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


def test_docs_page_is_served_without_a_cdn():
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
