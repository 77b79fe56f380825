"""Real concurrency on PostgreSQL (scenarios 22, 23 and "no deadlock"): threads, each with its
own connection, released at the end. Row locks on the list serialise what must be serialised."""

import threading

import pytest
from django.db import connection

from profiles.models import SkuMapping
from sessions.claims import claim_list
from sessions.errors import ListClaimed
from sessions.models import OrderExtra, OrderItem, PackingList, ScanEvent
from sessions.replay import replay_counters, stored_counters
from sessions.scanning.codes import perform_action, scan
from tests.builders import build_list, build_station, build_worker, claimed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREAD_TIMEOUT = 60


def run_together(calls):
    """Start every call at the same instant; return [(result, exception)] in call order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(n, call):
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            outcomes[n] = (call(), None)
        except Exception as exc:
            outcomes[n] = (None, exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n, c), daemon=True)
               for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return outcomes


def test_s22_two_stations_claim_one_list_at_the_same_instant_exactly_one_wins():
    for _attempt in range(3):  # three fresh lists: a lucky ordering must not hide a race
        packing_list = build_list({"O-1": [("A", 1)]})
        contenders = [(build_worker(), build_station()) for _ in range(2)]
        outcomes = run_together([
            (lambda w=w, s=s, pk=packing_list.pk: claim_list(pk, worker=w, station=s))
            for w, s in contenders
        ])
        winners = [r for r, e in outcomes if e is None]
        losers = [e for r, e in outcomes if e is not None]
        assert len(winners) == 1 and len(losers) == 1
        assert isinstance(losers[0], ListClaimed)
        stored = PackingList.objects.get(pk=packing_list.pk)
        assert stored.claim_token == winners[0].claim_token
        assert stored.claim_events.filter(kind="claim").count() == 1


def test_s23_twenty_concurrent_scans_and_retries_on_one_order_count_exactly():
    claim = claimed(build_list({"O-1": [("SKU-A", 8), ("SKU-B", 1)]}))
    scan(claim.list_id, token=claim.token, code="O-1")
    # 10 distinct scans of SKU-A, each sent twice (a retry and a second tab): 20 requests.
    calls = [
        (lambda n=n: scan(claim.list_id, token=claim.token, code="SKU-A", scan_id=f"tab-{n}"))
        for n in range(10) for _copy in range(2)
    ]
    outcomes = run_together(calls)
    assert [e for _r, e in outcomes if e is not None] == []
    answers = [r for r, _e in outcomes]
    by_id = {}
    for answer in answers:
        by_id.setdefault(answer["scan_id"], []).append(answer)
    for scan_id, pair in by_id.items():
        assert sorted(a["duplicate"] for a in pair) == [False, True], scan_id
        first, retry = sorted(pair, key=lambda a: a["duplicate"])
        assert retry["outcome"] == first["outcome"] and retry["order"] == first["order"]
    assert OrderItem.objects.get(sku="SKU-A").packed == 8  # no unit lost
    assert OrderExtra.objects.get().pending == 2  # none counted twice: 10 scans = 8 + 2 extra
    assert ScanEvent.objects.filter(scan_id__startswith="tab-").count() == 10
    outcomes_seen = sorted(a["outcome"] for a in answers if not a["duplicate"])
    assert outcomes_seen == ["extra_item"] * 2 + ["item_ok"] * 8
    assert replay_counters(claim.packing_list) == stored_counters(claim.packing_list)


def test_two_stations_scanning_two_lists_of_one_session_do_not_deadlock():
    first = claimed(build_list({"D-1": [("SKU-A", 12)], "D-2": [("SKU-B", 1)]}, name="DHL"))
    session = first.packing_list.session
    second = claimed(build_list({"P-1": [("SKU-A", 12)]}, session=session, name="PostOne"))
    scan(first.list_id, token=first.token, code="D-1")
    scan(second.list_id, token=second.token, code="P-1")

    def station_run(claim, prefix):
        def run():
            answers = []
            for n in range(12):
                answers.append(scan(claim.list_id, token=claim.token, code="SKU-A",
                                    scan_id=f"{prefix}-{n}"))
                if n == 5:  # both map the same barcode of their client at about the same time
                    perform_action(claim.list_id, token=claim.token, action="map",
                                   barcode="4006381333931", sku="SKU-A",
                                   scan_id=f"{prefix}-map")
            return answers
        return run

    outcomes = run_together([station_run(first, "dhl"), station_run(second, "post")])
    assert [e for _r, e in outcomes if e is not None] == []
    for answers in (r for r, _e in outcomes):
        assert answers[-1]["outcome"] == "order_complete"
    assert SkuMapping.objects.filter(client=session.client).count() == 1
    assert OrderItem.objects.get(sku="SKU-A", order__number="D-1").packed == 12
    assert OrderItem.objects.get(sku="SKU-A", order__number="P-1").packed == 12


def test_s24_server_killed_mid_scan_leaves_nothing_half_applied(monkeypatch):
    """The database connection of a scan dies after the counters were updated and before the
    commit (what a killed worker process looks like to PostgreSQL): nothing of it remains, the
    list lock is freed, and the station's retry is applied exactly once."""
    from sessions.scanning import frame

    claim = claimed(build_list({"O-1": [("SKU-A", 1), ("SKU-B", 1)]}))
    scan(claim.list_id, token=claim.token, code="O-1")
    scan(claim.list_id, token=claim.token, code="SKU-A")
    inside, killed, original = threading.Event(), threading.Event(), frame.Step.record
    backend = {}

    def stalled_record(self, *args, **kwargs):
        backend["pid"] = connection.connection.info.backend_pid
        inside.set()
        killed.wait(THREAD_TIMEOUT)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(frame.Step, "record", stalled_record)
    outcome = {}

    def doomed():
        try:
            outcome["answer"] = scan(claim.list_id, token=claim.token, code="SKU-B",
                                     scan_id="last")
        except Exception as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=doomed, daemon=True)
    thread.start()
    assert inside.wait(THREAD_TIMEOUT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend["pid"]])
    killed.set()
    thread.join(THREAD_TIMEOUT)
    monkeypatch.undo()
    assert "error" in outcome and "answer" not in outcome
    assert OrderItem.objects.get(sku="SKU-B").packed == 0
    assert not ScanEvent.objects.filter(scan_id="last").exists()
    assert PackingList.objects.get(pk=claim.list_id).open_order_id is not None
    retry = scan(claim.list_id, token=claim.token, code="SKU-B", scan_id="last")
    assert retry["outcome"] == "order_complete" and retry["duplicate"] is False
    assert replay_counters(claim.packing_list) == stored_counters(claim.packing_list)


def test_two_supervisors_taking_over_at_each_others_stations_do_not_deadlock(monkeypatch):
    """Issue 12: A takes over B's stale list at A's station while B takes over A's stale list
    at B's station. Each take-over also frees the list its station held, so each touches both
    lists; locking the target first and the station's list second deadlocked (10 of 15 trials
    gave a 500). Both threads are held right before the second lock until the other arrives
    (or 2 s pass), which is the interleaving that deadlocked every time."""
    from datetime import timedelta
    from functools import partial

    from django.utils import timezone

    from sessions import claims

    arrived, original = [], claims._free_station
    both_in = threading.Event()

    def rendezvous(*args, **kwargs):
        arrived.append(1)
        if len(arrived) >= 2:
            both_in.set()
        both_in.wait(2)
        return original(*args, **kwargs)

    monkeypatch.setattr(claims, "_free_station", rendezvous)
    for _trial in range(2):
        arrived.clear()
        both_in.clear()
        sup_a, sup_b = (build_worker(role="supervisor") for _ in range(2))
        lists = [build_list({"O-1": [("A", 1)]}) for _ in range(2)]
        station_a, station_b = build_station(), build_station()
        claims.claim_list(lists[0].pk, worker=sup_a, station=station_a)
        claims.claim_list(lists[1].pk, worker=sup_b, station=station_b)
        PackingList.objects.filter(pk__in=[pl.pk for pl in lists]).update(
            heartbeat_at=timezone.now() - timedelta(hours=1))
        outcomes = run_together([
            partial(claims.take_over, lists[1].pk, worker=sup_a, station=station_a,
                    by_user=sup_a.user, reason="tablet died"),
            partial(claims.take_over, lists[0].pk, worker=sup_b, station=station_b,
                    by_user=sup_b.user, reason="tablet died"),
        ])
        assert [e for _r, e in outcomes if e is not None] == []
        first, second = (PackingList.objects.get(pk=pl.pk) for pl in lists)
        assert (first.holder_id, first.station_id) == (sup_b.pk, station_b.pk)
        assert (second.holder_id, second.station_id) == (sup_a.pk, station_a.pk)
