"""Client scan ids (scenario 23 on one thread) and all-or-nothing scans (scenario 24)."""

import pytest
from django.db import IntegrityError, transaction

from sessions.errors import InvalidRequest, ScanIdConflict
from sessions.models import Order, OrderExtra, OrderItem, PackingList, ScanEvent
from sessions.scanning import codes, rules
from sessions.scanning.codes import perform_action, scan
from tests.builders import FILL, build_list, claimed, supervisor_approval

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    claim = claimed(build_list({"O-1": [("SKU-A", 3), ("SKU-B", 1)], "O-2": [("SKU-C", 1)]}))
    scan(claim.list_id, token=claim.token, code="O-1", scan_id="load-1")
    return claim


def test_s23_retried_scan_id_returns_first_answer_and_counts_nothing_twice(claim):
    first = scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="s-1")
    again = scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="s-1")
    assert first["duplicate"] is False and again["duplicate"] is True
    assert {k: v for k, v in again.items() if k != "duplicate"} == \
        {k: v for k, v in first.items() if k != "duplicate"}
    assert OrderItem.objects.get(sku="SKU-A").packed == 1
    assert ScanEvent.objects.filter(scan_id="s-1").count() == 1


def test_retry_of_an_action_is_answered_from_the_log(claim):
    item = OrderItem.objects.get(sku="SKU-A").pk
    approval = supervisor_approval()
    first = perform_action(claim.list_id, token=claim.token, action="force_confirm",
                           item=item, scan_id="a-1", approver=approval, **FILL)
    again = perform_action(claim.list_id, token=claim.token, action="force_confirm",
                           item=item, scan_id="a-1", approver=approval, **FILL)
    assert again["duplicate"] is True and again["outcome"] == first["outcome"]
    assert Order.objects.get(number="O-1").manual_confirmations == 1


def test_retry_after_later_scans_still_returns_the_first_answer(claim):
    first = scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="s-1")
    scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="s-2")
    again = scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="s-1")
    assert again["order"]["items"][0]["packed"] == first["order"]["items"][0]["packed"] == 1
    assert OrderItem.objects.get(sku="SKU-A").packed == 2


def test_scan_id_reused_for_a_different_request_is_a_conflict(claim):
    scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="s-1")
    with pytest.raises(ScanIdConflict):
        scan(claim.list_id, token=claim.token, code="SKU-B", scan_id="s-1")
    with pytest.raises(ScanIdConflict):
        perform_action(claim.list_id, token=claim.token, action="skip", scan_id="s-1")
    assert OrderItem.objects.get(sku="SKU-B").packed == 0


def test_scan_ids_are_per_list(claim):
    other = claimed(build_list({"X-1": [("SKU-A", 1)]}))
    answer = scan(other.list_id, token=other.token, code="X-1", scan_id="load-1")
    assert answer["duplicate"] is False and answer["outcome"] == "order_loaded"


def test_blank_scan_id_means_no_idempotency_and_overlong_is_refused(claim):
    scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="  ")
    scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="")
    assert OrderItem.objects.get(sku="SKU-A").packed == 2
    with pytest.raises(InvalidRequest):
        scan(claim.list_id, token=claim.token, code="SKU-A", scan_id="x" * 101)


def test_database_refuses_a_second_event_with_the_same_scan_id(claim):
    event = ScanEvent.objects.get(scan_id="load-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScanEvent.objects.create(packing_list_id=claim.list_id, outcome="x", scan_id="load-1")
    assert event.pk


def snapshot(list_id):
    return {
        "items": list(OrderItem.objects.order_by("pk").values_list("packed", flat=True)),
        "orders": list(Order.objects.order_by("pk").values_list(
            "status", "extra_scans", "unknown_scans", "completed_at", "first_item_at")),
        "extras": list(OrderExtra.objects.values_list("pending", "kept")),
        "events": ScanEvent.objects.count(),
        "list": PackingList.objects.filter(pk=list_id).values_list(
            "open_order_id", "all_done_announced").get(),
    }


class Boom(RuntimeError):
    pass


def test_s24_scan_failing_after_counters_changed_leaves_nothing_applied(claim, monkeypatch):
    for _n in range(3):
        scan(claim.list_id, token=claim.token, code="SKU-A")
    before = snapshot(claim.list_id)

    def explode(*args, **kwargs):
        raise Boom("killed mid-scan")

    # The last unit completes the order (item, order and list rows all change), then the
    # event insert fails: the whole step must roll back.
    monkeypatch.setattr(codes.ScanEvent.objects, "create", explode)
    with pytest.raises(Boom):
        scan(claim.list_id, token=claim.token, code="SKU-B", scan_id="s-9")
    monkeypatch.undo()
    assert snapshot(claim.list_id) == before
    # The retry of the same scan id is applied once, normally.
    answer = scan(claim.list_id, token=claim.token, code="SKU-B", scan_id="s-9")
    assert answer["duplicate"] is False and answer["outcome"] == "order_complete"


def test_s24_failure_inside_completion_rolls_back_the_unit(claim, monkeypatch):
    scan(claim.list_id, token=claim.token, code="SKU-A")
    scan(claim.list_id, token=claim.token, code="SKU-A")
    scan(claim.list_id, token=claim.token, code="SKU-A")
    before = snapshot(claim.list_id)
    monkeypatch.setattr(rules, "check_all_done", lambda step: (_ for _ in ()).throw(Boom()))
    with pytest.raises(Boom):
        scan(claim.list_id, token=claim.token, code="SKU-B")
    assert snapshot(claim.list_id) == before
