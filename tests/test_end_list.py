"""Ending a packing list: holder or supervisor, early end listing open orders, the summary."""

import pytest

from sessions.claims import claim_list
from sessions.counters import recount
from sessions.errors import Forbidden, InvalidAction, ListCompleted, NotClaimHolder
from sessions.lifecycle import end_list
from sessions.models import ClaimEvent, PackingList, PackingSession
from sessions.reports import list_summary
from tests.builders import supervisor_approval
from tests.reports_builders import (
    T0,
    make_list,
    make_order,
    make_station,
    make_worker,
    minutes,
    scan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed():
    """A list of three orders (two packed, one new), claimed by Dolphin at PC1."""
    worker, station = make_worker(), make_station()
    plist = make_list()
    make_order(plist, "#1", [("A", 2, 2), ("B", 1, 1)], status="completed", started=T0,
               first_item=T0 + minutes(1), completed=T0 + minutes(10), worker=worker,
               corrections=1)
    make_order(plist, "#2", [("A", 1, 1)], status="completed", started=T0 + minutes(10),
               first_item=T0 + minutes(12), completed=T0 + minutes(30), worker=worker,
               unknown_scans=2)
    make_order(plist, "#3", [("C", 4, 0)])
    plist = claim_list(plist.pk, worker=worker, station=station)
    return plist, worker, station


def _finish_order_3(plist, worker):
    plist.orders.filter(number="#3").update(status="completed", started_at=T0 + minutes(30),
                                            completed_at=T0 + minutes(40), completed_by=worker)
    recount([plist.pk])


def test_holder_ends_a_packed_list(claimed, django_capture_on_commit_callbacks):
    plist, worker, station = claimed
    _finish_order_3(plist, worker)
    with django_capture_on_commit_callbacks() as callbacks:
        summary = end_list(plist.pk, token=plist.claim_token)
    assert callbacks, "the floor must hear that the list ended"
    plist.refresh_from_db()
    assert plist.status == PackingList.Status.COMPLETED
    assert plist.ended_at is not None and plist.ended_by == worker
    assert plist.claim_token is None and plist.holder is None and plist.station is None
    event = ClaimEvent.objects.get(packing_list=plist, kind=ClaimEvent.Kind.END)
    assert (event.worker, event.station, event.reason) == (worker, station, "")
    assert plist.session.status == PackingSession.Status.COMPLETED  # its only list
    assert summary["completed_orders"] == 3 and summary["open_orders"] == []
    assert summary["worker_name"] == "Dolphin" and summary["station"] == "PC1"


def test_early_end_lists_open_orders_and_changes_nothing(claimed):
    plist, worker, _station = claimed
    make_order(plist, "#4", [("D", 1, 0)], status="in_progress", started=T0 + minutes(31))
    make_order(plist, "#5", [("E", 1, 0)], status="skipped", started=T0 + minutes(32))
    with pytest.raises(InvalidAction) as refused:
        end_list(plist.pk, token=plist.claim_token)
    assert refused.value.details["open_orders"] == ["#3", "#4"]  # skipped does not block
    assert refused.value.details["needs_approval"] is True
    assert "#3, #4" in refused.value.message
    plist.refresh_from_db()
    assert plist.status == PackingList.Status.IN_PROGRESS and plist.claim_token is not None
    assert not ClaimEvent.objects.filter(kind=ClaimEvent.Kind.END).exists()


def test_forced_early_end_keeps_open_orders_open(claimed):
    plist, _worker, _station = claimed
    summary = end_list(plist.pk, token=plist.claim_token, force=True,
                       approver=supervisor_approval())
    assert summary["status"] == "completed"
    assert summary["open_orders"] == ["#3"] and summary["new_orders"] == 1
    assert plist.orders.get(number="#3").status == "new"
    event = ClaimEvent.objects.get(kind=ClaimEvent.Kind.END)
    assert "#3" in event.reason and "early" in event.reason


def test_wrong_token_is_refused(claimed):
    plist, _worker, _station = claimed
    with pytest.raises(NotClaimHolder):
        end_list(plist.pk, token="00000000-0000-0000-0000-000000000000", force=True)


def test_supervisor_ends_without_token(claimed):
    plist, _worker, _station = claimed
    boss = make_worker("Boss", supervisor=True)
    end_list(plist.pk, by_user=boss.user, force=True, approver=supervisor_approval(boss))
    plist.refresh_from_db()
    assert plist.status == "completed" and plist.ended_by == boss
    event = ClaimEvent.objects.get(kind=ClaimEvent.Kind.END)
    assert event.by_user == boss.user and event.previous_holder.display_name == "Dolphin"


def test_packer_without_token_is_forbidden(claimed):
    plist, worker, _station = claimed
    with pytest.raises(Forbidden):
        end_list(plist.pk, by_user=worker.user, force=True)


def test_ending_twice_is_refused(claimed):
    plist, _worker, _station = claimed
    token = plist.claim_token
    end_list(plist.pk, token=token, force=True, approver=supervisor_approval())
    with pytest.raises(ListCompleted):
        end_list(plist.pk, token=token, force=True, approver=supervisor_approval())


def test_session_stays_open_while_another_list_is_open(claimed):
    plist, _worker, _station = claimed
    make_list(name="PostOne_Orders")
    end_list(plist.pk, token=plist.claim_token, force=True, approver=supervisor_approval())
    assert plist.session.lists.count() == 2
    plist.session.refresh_from_db()
    assert plist.session.status == PackingSession.Status.OPEN


def test_summary_has_the_old_session_summary_figures(claimed):
    plist, worker, _station = claimed
    make_order(plist, "#4", [("A", 3, 1)], status="skipped", started=T0 + minutes(40))
    scan(plist, T0, worker=worker, outcome="order_loaded")
    scan(plist, T0 + minutes(40), worker=worker, outcome="unknown_item")
    summary = end_list(plist.pk, token=plist.claim_token, force=True,
                       approver=supervisor_approval())
    assert summary == list_summary(PackingList.objects.get(pk=plist.pk))
    expected = {
        "version": "1.3.0", "session_id": "2026-03-02_1", "session_type": "excel",
        "client_id": "M", "packing_list_name": "DHL_Orders", "total_orders": 4,
        "completed_orders": 2, "in_progress_orders": 0, "skipped_orders_count": 1,
        "total_items": 11, "packed_items": 5, "unique_skus": 3, "worker_name": "Dolphin",
    }
    assert {k: summary[k] for k in expected} == expected
    assert summary["skipped_orders"][0]["order_number"] == "#4"
    assert summary["started_at"].startswith("2026-03-02T09:00")
    assert summary["duration_seconds"] > 0
    m = summary["metrics"]
    assert m["avg_time_per_order"] == 900  # (600 + 1200) / 2
    assert (m["fastest_order_seconds"], m["slowest_order_seconds"]) == (600, 1200)
    assert m["avg_time_per_item"] == 450  # 1800 s active / 4 units of completed orders
    assert m["orders_per_hour"] == 3.0  # 2 orders over 40 min of wall time
    assert m["items_per_hour"] == 6.0
    assert m["avg_time_to_first_scan"] == 90
    assert (m["total_corrections"], m["total_unknown_scans"], m["total_extra_scans"]) == (1, 2, 0)
    assert m["avg_corrections_per_order"] == round(1 / 3, 2)  # 3 orders were started
    assert summary["figures"]["orders_per_hour_active"] == 4.0
    assert summary["figures"]["accuracy"] == 0.5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_end_and_scan_at_the_same_instant_serialise():
    """Two ends and a scan race on one list: one end wins, the other end sees the list ended,
    and the scan is either counted before the end or refused after it, never half-applied."""
    import threading

    from django.db import connection

    from sessions.scanning.codes import scan as scan_code
    from tests.builders import build_list, claimed

    plist = build_list({"#1": [("A", 1)], "#2": [("B", 1)]})
    claim = claimed(plist)
    token = claim.token
    scan_code(plist.pk, token=token, code="#1")
    barrier = threading.Barrier(3)
    results = {}

    def run(name, call):
        try:
            barrier.wait(timeout=10)
            results[name] = call()
        except Exception as exc:
            results[name] = exc
        finally:
            connection.close()

    approval = supervisor_approval()
    calls = {
        "end1": lambda: end_list(plist.pk, token=token, force=True, approver=approval),
        "end2": lambda: end_list(plist.pk, token=token, force=True, approver=approval),
        "scan": lambda: scan_code(plist.pk, token=token, code="A", scan_id="s-1"),
    }
    threads = [threading.Thread(target=run, args=item, daemon=True) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    ends = [results["end1"], results["end2"]]
    assert sum(isinstance(r, dict) for r in ends) == 1
    assert sum(isinstance(r, ListCompleted) for r in ends) == 1
    assert ClaimEvent.objects.filter(packing_list=plist, kind=ClaimEvent.Kind.END).count() == 1
    order = plist.orders.get(number="#1")
    if isinstance(results["scan"], dict):
        assert order.status == "completed" and order.items.get().packed == 1
    else:
        assert isinstance(results["scan"], ListCompleted)
        assert order.items.get().packed == 0 and not order.scan_events.filter(scan_id="s-1")
