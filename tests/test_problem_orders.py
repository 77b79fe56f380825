"""Problem orders (issue 10, scenario 44): a packer flags the open order as short, damaged or
wrong stock; it is needs_review (not completed, not skipped, not "all done"), listed for
supervisors on the floor and in the session browser, counted in the summary and shown in the
report, and a supervisor resolves it (reopen, or complete with a reason). Replay stays exact."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from sessions.models import Order, ScanEvent
from sessions.replay import replay_counters, stored_counters
from sessions.reports import completion_report, list_summary
from tests.api_helpers import action, assert_error, claim, role_client, scan
from tests.builders import build_client, build_list, build_session, build_station, build_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def station():
    packing_list = build_list({"P-1": [("SKU-A", 2), ("SKU-B", 1)], "P-2": [("SKU-C", 1)]},
                              session=build_session(build_client("M")), name="DHL_Orders")
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    return api, packing_list, token


def flag(api, packing_list, token, **fields):
    return action(api, packing_list.pk, token, "flag", **fields)


def review(api, order, **body):
    return api.post(f"/api/v1/orders/{order.pk}/review/", body, format="json")


def test_s44_a_flagged_order_is_needs_review_not_completed_not_skipped(station):
    api, packing_list, token = station
    scan(api, packing_list.pk, token, "P-1")
    scan(api, packing_list.pk, token, "SKU-A")
    body = assert_error(flag(api, packing_list, token), 400, "reason_required")
    assert [r["code"] for r in body["reasons"]] == ["short", "damaged", "wrong_stock"]
    answer = flag(api, packing_list, token, reason="short", note="only 1 on the shelf").json()
    assert answer["outcome"] == "order_flagged"
    assert answer["order"]["status"] == "needs_review"
    assert answer["order"]["problem"] == "short"
    assert answer["list"]["open_order"] is None
    assert answer["list"]["needs_review_orders"] == 1
    assert answer["list"]["completed_orders"] == 0 and answer["list"]["skipped_orders"] == 0
    order = Order.objects.get(number="P-1")
    assert order.status == "needs_review" and order.problem_note == "only 1 on the shelf"
    assert order.items.get(sku="SKU-A").packed == 1  # counts kept
    event = ScanEvent.objects.get(action="flag")
    assert (event.reason, event.note) == ("short", "only 1 on the shelf")
    # Its label does not reopen it at the station.
    again = scan(api, packing_list.pk, token, "P-1").json()
    assert again["outcome"] == "order_needs_review" and again["list"]["open_order"] is None
    assert_error(action(api, packing_list.pk, token, "skip", order=order.pk), 400,
                 "invalid_action")


def test_s44_a_flagged_order_is_not_all_done_until_resolved(station):
    api, packing_list, token = station
    scan(api, packing_list.pk, token, "P-1")
    flag(api, packing_list, token, reason="damaged")
    scan(api, packing_list.pk, token, "P-2")
    done = scan(api, packing_list.pk, token, "SKU-C").json()
    assert done["outcome"] == "order_complete" and done["all_done"] is False
    order = Order.objects.get(number="P-1")
    assert_error(review(api, order, resolution="complete", reason="ok"), 403, "forbidden")
    supervisor = role_client("supervisor")
    assert_error(review(supervisor, order, resolution="complete"), 400, "reason_required")
    resolved = review(supervisor, order, resolution="complete", reason="customer agreed").json()
    assert resolved["outcome"] == "review_completed" and resolved["all_done"] is True
    order.refresh_from_db()
    assert order.status == "completed" and order.completed_by.user == api.user
    assert ScanEvent.objects.get(action="review").note == "customer agreed"
    assert replay_counters(packing_list) == stored_counters(packing_list)


def test_s44_reopen_lets_the_packer_resume_exactly(station):
    api, packing_list, token = station
    scan(api, packing_list.pk, token, "P-1")
    scan(api, packing_list.pk, token, "SKU-A")
    flag(api, packing_list, token, reason="wrong_stock")
    order = Order.objects.get(number="P-1")
    supervisor = role_client("supervisor")
    assert review(supervisor, order, resolution="reopen").json()["outcome"] == "review_reopened"
    assert_error(review(supervisor, order, resolution="reopen"), 400, "invalid_action")
    resumed = scan(api, packing_list.pk, token, "P-1").json()
    assert resumed["outcome"] == "order_loaded" and resumed["resumed"] is True
    assert [i["packed"] for i in resumed["order"]["items"]] == [1, 0]
    for code in ("SKU-A", "SKU-B"):
        last = scan(api, packing_list.pk, token, code).json()
    assert last["outcome"] == "order_complete"
    assert replay_counters(packing_list) == stored_counters(packing_list)
    out = StringIO()
    call_command("verify_counters", "--list", str(packing_list.pk), stdout=out)
    assert "matches" in out.getvalue()


def test_s44_summary_report_and_ending_count_it(station):
    api, packing_list, token = station
    scan(api, packing_list.pk, token, "P-1")
    flag(api, packing_list, token, reason="short", note="2 missing")
    packing_list.refresh_from_db()  # the counters are on the row
    summary = list_summary(packing_list)
    assert summary["needs_review_orders"] == 1
    assert summary["needs_review"] == [{"order_number": "P-1", "problem": "short",
                                        "note": "2 missing"}]
    workbook = load_workbook(io.BytesIO(completion_report(packing_list)))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    p1 = [r for r in rows if r[0] == "P-1"]
    assert {r[header.index("Status")] for r in p1} == {"Needs review"}
    assert {r[header.index("Problem")] for r in p1} == {"Short: 2 missing"}
    end = api.post(f"/api/v1/lists/{packing_list.pk}/end/", {}, format="json",
                   HTTP_X_CLAIM_TOKEN=token)
    assert "P-1" in assert_error(end, 400, "invalid_action")["open_orders"]


def test_s44_supervisors_see_it_on_the_floor_and_in_the_session_browser(station, client):
    api, packing_list, token = station
    scan(api, packing_list.pk, token, "P-1")
    flag(api, packing_list, token, reason="damaged", note="box crushed")
    client.force_login(build_user(role="supervisor"))
    floor = client.get("/floor/").content.decode()
    assert "P-1" in floor and "box crushed" in floor and 'data-review="' in floor
    fragment = client.get("/floor/reviews/")
    assert fragment.status_code == 200 and "P-1" in fragment.content.decode()
    browser = client.get("/sessions/?tab=active").content.decode()
    assert "1 to review" in browser
    detail = client.get(f"/sessions/lists/{packing_list.pk}/").content.decode()
    assert "flag-review" in detail and "act-review-complete" in detail
    order = Order.objects.get(number="P-1")
    response = client.post(f"/sessions/orders/{order.pk}/review/",
                           {"resolution": "complete", "reason": "shipped partial"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "completed"
    assert "P-1" not in client.get("/floor/reviews/").content.decode()


def test_packers_cannot_resolve_from_the_pages(station, client):
    api, packing_list, token = station
    scan(api, packing_list.pk, token, "P-1")
    flag(api, packing_list, token, reason="damaged")
    client.force_login(api.user)
    order = Order.objects.get(number="P-1")
    assert client.post(f"/sessions/orders/{order.pk}/review/",
                       {"resolution": "reopen"}).status_code == 403
    assert client.get("/floor/reviews/").status_code == 403
    assert Order.objects.get(pk=order.pk).status == "needs_review"
