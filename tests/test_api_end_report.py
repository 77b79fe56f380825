"""Ending a list, its completion report workbook and its summary."""

import io

import pytest
from openpyxl import load_workbook

from sessions.models import ClaimEvent, PackingList
from tests.api_helpers import assert_error, claim, role_client, scan, supervisor_badge, url
from tests.builders import build_client, build_list, build_session, build_station

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINES = {"ORDER-001": [("SKU-A", 1)], "ORDER-002": [("SKU-B", 1)]}


@pytest.fixture
def holder():
    """(api, list, token) with ORDER-001 packed and ORDER-002 still new."""
    packing_list = build_list(LINES, session=build_session(build_client("M"), "2025-11-19_1"),
                              name="DHL_Orders")
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    scan(api, packing_list.pk, token, "ORDER-001")
    scan(api, packing_list.pk, token, "SKU-A")
    return api, packing_list, token


def end(api, pk, token=None, **body):
    headers = {"HTTP_X_CLAIM_TOKEN": token} if token else {}
    return api.post(url(pk, "end/"), body, format="json", **headers)


def test_ending_early_lists_the_open_orders_and_changes_nothing(holder):
    api, packing_list, token = holder
    body = assert_error(end(api, packing_list.pk, token), 400, "invalid_action")
    assert body["open_orders"] == ["ORDER-002"]
    packing_list.refresh_from_db()
    assert packing_list.status == "in_progress" and packing_list.claim_token is not None


def test_forced_end_returns_the_summary_and_closes_the_list(holder):
    api, packing_list, token = holder
    response = end(api, packing_list.pk, token, force=True, approval=supervisor_badge())
    assert response.status_code == 200
    summary = response.json()
    assert summary["status"] == "completed"
    assert summary["total_orders"] == 2 and summary["completed_orders"] == 1
    assert summary["open_orders"] == ["ORDER-002"]
    packing_list.refresh_from_db()
    assert packing_list.status == PackingList.Status.COMPLETED
    assert packing_list.claim_token is None
    assert ClaimEvent.objects.filter(packing_list=packing_list, kind="end").exists()
    assert_error(scan(api, packing_list.pk, token, "ORDER-002"), 409, "list_completed")
    assert_error(claim(api, packing_list.pk, "PC-1"), 409, "list_completed")
    assert_error(end(role_client("supervisor"), packing_list.pk, force=True), 409,
                 "list_completed")


def test_end_when_everything_is_packed_needs_no_force(holder):
    api, packing_list, token = holder
    scan(api, packing_list.pk, token, "ORDER-002")
    scan(api, packing_list.pk, token, "SKU-B")
    assert end(api, packing_list.pk, token).json()["completed_orders"] == 2


def test_only_the_holder_or_a_supervisor_may_end(holder):
    api, packing_list, token = holder
    assert_error(end(role_client("packer"), packing_list.pk, force=True), 403, "forbidden")
    assert_error(end(api, packing_list.pk, "00000000-0000-4000-8000-000000000000", force=True),
                 409, "not_claim_holder")
    assert_error(end(api, packing_list.pk, token, force="maybe"), 400, "invalid")
    response = end(role_client("supervisor"), packing_list.pk, force=True)
    assert response.status_code == 200


def test_report_workbook(holder):
    api, packing_list, token = holder
    end(api, packing_list.pk, token, force=True, approval=supervisor_badge())
    response = api.get(url(packing_list.pk, "report.xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert "DHL_Orders" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value]
    assert "ORDER-001" in cells and "ORDER-002" in cells
    # A client that asks for the workbook by media type gets it too.
    assert api.get(url(packing_list.pk, "report.xlsx"), HTTP_ACCEPT=XLSX).status_code == 200


def test_report_errors_stay_json_even_when_asking_for_xlsx():
    api = role_client("packer")
    response = api.get(url(999999, "report.xlsx"), HTTP_ACCEPT=XLSX)
    assert response.status_code == 404
    assert b'"code":"not_found"' in response.content.replace(b" ", b"")


def test_summary_while_packing_and_after_the_end(holder):
    api, packing_list, token = holder
    live = api.get(url(packing_list.pk, "summary/"))
    assert live.status_code == 200
    body = live.json()
    assert body["status"] == "in_progress" and body["packed_items"] == 1
    assert body["client_id"] == "M" and body["packing_list_name"] == "DHL_Orders"
    end(api, packing_list.pk, token, force=True, approval=supervisor_badge())
    assert api.get(url(packing_list.pk, "summary/")).json()["status"] == "completed"
