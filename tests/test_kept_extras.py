"""Kept extras are visible (issue 10, item 8): the box holds 4 where the line says 3, so the
line, the API's order payload, the list summary and the completion report all say so."""

import io

import pytest
from openpyxl import load_workbook

from sessions.reports import completion_report, list_summary
from sessions.scanning.codes import perform_action, scan
from tests.builders import build_list, claimed

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    claim = claimed(build_list({"K-1": [("SKU-A", 3), ("SKU-B", 1)], "K-2": [("SKU-A", 1)]}))
    for code in ("K-1", "SKU-A", "SKU-A", "SKU-A", "SKU-A", "SKU-B"):
        answer = scan(claim.list_id, token=claim.token, code=code)
    assert answer["outcome"] == "complete_with_extras"
    answer = perform_action(claim.list_id, token=claim.token, action="keep_extra", sku="SKU-A")
    assert answer["order"]["status"] == "completed"
    return claim, answer


def test_the_order_payload_counts_kept_extras_per_line_and_in_total(kept):
    _claim, answer = kept
    order = answer["order"]
    assert order["extras_kept"] == 1
    lines = {i["sku"]: i for i in order["items"]}
    assert (lines["SKU-A"]["packed"], lines["SKU-A"]["required"]) == (3, 3)
    assert lines["SKU-A"]["extras_kept"] == 1 and lines["SKU-B"]["extras_kept"] == 0


def test_the_api_order_and_the_summary_say_so(kept, client):
    from tests.api_helpers import role_client

    claim, answer = kept
    api = role_client("packer")
    body = api.get(f"/api/v1/orders/{answer['order']['id']}/").json()
    assert body["extras_kept"] == 1
    assert list_summary(claim.packing_list)["extras_kept"] == 1


def test_the_report_has_an_extras_column(kept):
    claim, _answer = kept
    sheet = load_workbook(io.BytesIO(completion_report(claim.packing_list))).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {(r[0].value, r[1].value): r for r in sheet.iter_rows(min_row=2)}
    assert rows[("K-1", "SKU-A")][header.index("Extras")].value == 1
    assert rows[("K-1", "SKU-B")][header.index("Extras")].value is None
    assert rows[("K-1", "SKU-A")][header.index("Quantity")].value == 3
