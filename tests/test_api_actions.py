"""POST /api/v1/lists/{id}/action/: manual actions, their refusals and the reopen role rule."""

import pytest

from profiles.models import SkuMapping
from sessions.models import Order, OrderItem, ScanEvent
from tests.api_helpers import (
    action,
    assert_error,
    claim,
    role_client,
    scan,
    supervisor_badge,
    url,
)
from tests.builders import build_client, build_list, build_session, build_station

pytestmark = pytest.mark.django_db

LINES = {"ORDER-001": [("SKU-A", 2), ("SKU-B", 1)], "ORDER-002": [("SKU-C", 1)]}


@pytest.fixture
def holder():
    """(api, list, token, order) with ORDER-001 open at PC-1."""
    packing_list = build_list(LINES, session=build_session(build_client("M")))
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    scan(api, packing_list.pk, token, "ORDER-001")
    return api, packing_list, token, packing_list.orders.get(number="ORDER-001")


def line(order, sku):
    return OrderItem.objects.get(order=order, sku=sku)


def test_confirm_undo_and_force_confirm(holder):
    api, packing_list, token, order = holder
    a, b = line(order, "SKU-A"), line(order, "SKU-B")
    body = action(api, packing_list.pk, token, "confirm", item=a.pk,
                  reason="label_damaged").json()
    assert body["outcome"] == "confirmed" and body["order"]["items"][0]["packed"] == 1
    assert action(api, packing_list.pk, token, "undo", item=a.pk).json()["outcome"] == "undone"
    assert action(api, packing_list.pk, token, "undo", item=a.pk).json()["outcome"] == \
        "already_zero"
    badge = supervisor_badge()
    assert action(api, packing_list.pk, token, "force_confirm", item=a.pk, reason="other",
                  note="smudged", approval=badge).json()["outcome"] == "force_confirmed"
    done = action(api, packing_list.pk, token, "force_confirm", item=b.pk,
                  reason="barcode_missing", approval=badge).json()
    assert done["order"]["status"] == "completed"
    assert done["all_done"] is False
    assert ScanEvent.objects.filter(packing_list=packing_list, manual=True).count() >= 3


def test_action_refusals(holder):
    api, packing_list, token, order = holder
    a = line(order, "SKU-A")
    path = url(packing_list.pk, "action/")
    assert_error(api.post(path, {"action": "dance"}, format="json", HTTP_X_CLAIM_TOKEN=token),
                 400, "invalid")
    assert_error(api.post(path, {"action": "confirm", "item": "x"}, format="json",
                          HTTP_X_CLAIM_TOKEN=token), 400, "invalid")
    assert_error(action(api, packing_list.pk, token, "confirm", reason="barcode_missing"), 400,
                 "invalid")
    assert_error(action(api, packing_list.pk, token, "confirm", item=999999,
                        reason="barcode_missing"), 404, "not_found")
    assert_error(action(api, packing_list.pk, token, "keep_extra", sku="SKU-A"), 400,
                 "invalid_action")
    assert_error(api.post(path, {"action": "confirm", "item": a.pk}, format="json"), 409,
                 "not_claim_holder")
    assert line(order, "SKU-A").packed == 0


def test_skip_and_resume(holder):
    api, packing_list, token, order = holder
    action(api, packing_list.pk, token, "confirm", item=line(order, "SKU-A").pk,
           reason="barcode_missing")
    body = action(api, packing_list.pk, token, "skip").json()
    assert body["outcome"] == "skipped" and body["list"]["skipped_orders"] == 1
    assert body["list"]["open_order"] is None
    resumed = scan(api, packing_list.pk, token, "ORDER-001").json()
    assert resumed["outcome"] == "order_loaded"
    assert resumed["order"]["items"][0]["packed"] == 1


def test_keep_and_remove_extras(holder):
    api, packing_list, token, order = holder
    scan(api, packing_list.pk, token, "SKU-B")
    assert scan(api, packing_list.pk, token, "SKU-B").json()["outcome"] == "extra_item"
    scan(api, packing_list.pk, token, "SKU-B")
    removed = action(api, packing_list.pk, token, "remove_extra", sku="SKU-B").json()
    assert removed["outcome"] == "extra_removed"
    action(api, packing_list.pk, token, "force_confirm", item=line(order, "SKU-A").pk,
           reason="barcode_missing", approval=supervisor_badge())
    kept = action(api, packing_list.pk, token, "keep_extra", sku="SKU-B").json()
    assert kept["outcome"] == "extra_kept"
    assert kept["order"]["status"] == "completed"


def test_map_a_barcode_from_the_station(holder):
    api, packing_list, token, order = holder
    assert_error(action(api, packing_list.pk, token, "map", barcode="4006381333931"), 400,
                 "invalid")
    body = action(api, packing_list.pk, token, "map", barcode="4006381333931", sku="SKU-A")
    assert body.json()["outcome"] == "mapped"
    assert SkuMapping.objects.filter(client=packing_list.session.client,
                                     normalized_barcode="4006381333931").exists()
    assert scan(api, packing_list.pk, token, "4006381333931").json()["outcome"] == "item_ok"


def test_reopen_is_for_supervisors(holder):
    api, packing_list, token, order = holder
    badge = supervisor_badge()
    for sku in ("SKU-A", "SKU-B"):
        action(api, packing_list.pk, token, "force_confirm", item=line(order, sku).pk,
               reason="barcode_missing", approval=badge)
    assert_error(action(api, packing_list.pk, token, "reopen", order=order.pk), 403,
                 "forbidden")
    assert Order.objects.get(pk=order.pk).status == "completed"
    supervisor = role_client("supervisor")
    body = action(supervisor, packing_list.pk, token, "reopen", order=order.pk).json()
    assert body["outcome"] == "reopened"
    assert Order.objects.get(pk=order.pk).status != "completed"


def test_a_retried_action_is_answered_once(holder):
    api, packing_list, token, order = holder
    a = line(order, "SKU-A")
    body = {"action": "confirm", "item": a.pk, "scan_id": "tap-1", "reason": "barcode_missing"}
    path = url(packing_list.pk, "action/")
    first = api.post(path, body, format="json", HTTP_X_CLAIM_TOKEN=token).json()
    again = api.post(path, body, format="json", HTTP_X_CLAIM_TOKEN=token).json()
    assert again["duplicate"] is True and again["outcome"] == first["outcome"]
    assert line(order, "SKU-A").packed == 1
