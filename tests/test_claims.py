"""Claims on packing lists (scenarios 19, 20, 21, 25 and the claim contract)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.claims import (
    claim_list,
    force_release,
    heartbeat,
    release,
    take_over,
)
from sessions.errors import (
    ClaimNotStale,
    Forbidden,
    InvalidRequest,
    ListClaimed,
    ListCompleted,
    ListNotClaimed,
    NotClaimHolder,
    StationBusy,
)
from sessions.models import ClaimEvent, Order, PackingList
from sessions.reads.payloads import claim_state, iso
from sessions.scanning.codes import perform_action, scan
from sessions.scanning.frame import lock_claimed_list
from tests.builders import build_list, build_station, build_user, build_worker, claimed

pytestmark = pytest.mark.django_db


@pytest.fixture
def packing_list():
    return build_list({"ORDER-001": [("SKU-A", 2), ("SKU-B", 1)], "ORDER-002": [("SKU-C", 1)]})


def age_heartbeat(packing_list, seconds):
    """Pretend the last heartbeat was `seconds` ago."""
    PackingList.objects.filter(pk=packing_list.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds)
    )
    return PackingList.objects.select_related("holder", "station").get(pk=packing_list.pk)


def test_s19_station_claims_free_list_second_station_refused_with_holder_and_since(packing_list):
    first = claimed(packing_list, worker=build_worker("Ana"), station=build_station("PC-1"))
    assert first.packing_list.claim_token is not None
    assert first.packing_list.status == PackingList.Status.IN_PROGRESS
    assert first.packing_list.started_at is not None
    with pytest.raises(ListClaimed) as refused:
        claim_list(packing_list.pk, worker=build_worker("Boris"), station=build_station("PC-2"))
    details = refused.value.as_dict()
    assert details["code"] == "list_claimed"
    assert details["holder"] == "Ana" and details["station"] == "PC-1"
    assert details["since"] == iso(first.packing_list.claimed_at)
    assert details["stale"] is False
    assert "Ana" in refused.value.message and "PC-1" in refused.value.message
    assert ClaimEvent.objects.filter(packing_list=packing_list, kind="claim").count() == 1


def test_same_worker_and_station_reclaim_gets_same_token(packing_list):
    first = claimed(packing_list)
    again = claim_list(packing_list.pk, worker=first.worker, station=first.station)
    assert str(again.claim_token) == first.token


def test_same_worker_other_station_is_refused_while_active(packing_list):
    first = claimed(packing_list)
    with pytest.raises(ListClaimed):
        claim_list(packing_list.pk, worker=first.worker, station=build_station())


def test_s20_claim_at_118_seconds_is_active(packing_list):
    claimed(packing_list)
    state = claim_state(age_heartbeat(packing_list, 118))
    assert state["active"] is True and state["stale"] is False
    assert state["heartbeat_age_seconds"] == 118


def test_s20_claim_at_122_seconds_is_stale_and_reported_so(packing_list):
    claimed(packing_list, worker=build_worker("Ana"))
    state = claim_state(age_heartbeat(packing_list, 122))
    assert state["stale"] is True and state["active"] is False
    with pytest.raises(ListClaimed) as refused:
        claim_list(packing_list.pk, worker=build_worker(), station=build_station())
    assert refused.value.details["stale"] is True
    assert "stale" in refused.value.message


def test_claim_state_uses_given_now(packing_list):
    claim = claimed(packing_list)
    pl = claim.packing_list
    assert claim_state(pl, now=pl.heartbeat_at + timedelta(seconds=118))["stale"] is False
    assert claim_state(pl, now=pl.heartbeat_at + timedelta(seconds=122))["stale"] is True
    assert claim_state(build_list()) is None


def test_s20_same_worker_takes_over_stale_claim(packing_list):
    first = claimed(packing_list)
    age_heartbeat(packing_list, 122)
    new_station = build_station()
    taken = take_over(packing_list.pk, worker=first.worker, station=new_station,
                      by_user=first.worker.user)
    assert str(taken.claim_token) != first.token
    assert taken.station_id == new_station.pk
    event = ClaimEvent.objects.get(packing_list=packing_list, kind="takeover")
    assert event.previous_holder_id == first.worker.pk
    assert event.previous_station_id == first.station.pk
    with pytest.raises(NotClaimHolder):
        heartbeat(packing_list.pk, token=first.token)


def test_s20_supervisor_takes_over_stale_claim_for_another_worker(packing_list):
    claimed(packing_list)
    age_heartbeat(packing_list, 122)
    supervisor = build_user(role="supervisor")
    newcomer = build_worker()
    taken = take_over(packing_list.pk, worker=newcomer, station=build_station(),
                      by_user=supervisor, reason="tablet died")
    assert taken.holder_id == newcomer.pk
    assert ClaimEvent.objects.get(kind="takeover").reason == "tablet died"


def test_take_over_by_other_packer_is_forbidden(packing_list):
    claimed(packing_list)
    age_heartbeat(packing_list, 122)
    other = build_worker()
    with pytest.raises(Forbidden):
        take_over(packing_list.pk, worker=other, station=build_station(), by_user=other.user)


def test_take_over_of_active_claim_is_refused_even_for_supervisor(packing_list):
    claimed(packing_list)
    age_heartbeat(packing_list, 118)
    with pytest.raises(ClaimNotStale) as refused:
        take_over(packing_list.pk, worker=build_worker(), station=build_station(),
                  by_user=build_user(role="supervisor"))
    assert refused.value.details["stale"] is False


def test_s21_only_holder_may_scan_heartbeat_or_release(packing_list):
    claim = claimed(packing_list)
    wrong = "00000000-0000-4000-8000-000000000000"
    for call in (
        lambda: scan(packing_list.pk, token=wrong, code="ORDER-001"),
        lambda: perform_action(packing_list.pk, token=wrong, action="skip"),
        lambda: heartbeat(packing_list.pk, token=wrong),
        lambda: release(packing_list.pk, token=wrong),
        lambda: heartbeat(packing_list.pk, token=None),
        lambda: heartbeat(packing_list.pk, token="not-a-uuid"),
    ):
        with pytest.raises(NotClaimHolder):
            call()
    before = claim.packing_list.heartbeat_at
    assert heartbeat(packing_list.pk, token=claim.token).heartbeat_at > before
    release(packing_list.pk, token=claim.token)
    pl = PackingList.objects.get(pk=packing_list.pk)
    assert pl.claim_token is None and pl.holder is None
    with pytest.raises(NotClaimHolder):
        scan(packing_list.pk, token=claim.token, code="ORDER-001")


def test_heartbeat_revives_a_stale_claim_nobody_took(packing_list):
    claim = claimed(packing_list)
    age_heartbeat(packing_list, 500)
    pl = heartbeat(packing_list.pk, token=claim.token)
    assert claim_state(pl)["active"] is True


def test_s21_supervisor_force_releases_active_claim_with_kept_reason(packing_list):
    claim = claimed(packing_list)
    supervisor = build_user(role="supervisor")
    with pytest.raises(InvalidRequest):
        force_release(packing_list.pk, by_user=supervisor, reason="  ")
    with pytest.raises(Forbidden):
        force_release(packing_list.pk, by_user=claim.worker.user, reason="mine")
    force_release(packing_list.pk, by_user=supervisor, reason="Ana went home")
    event = ClaimEvent.objects.get(kind="force_release")
    assert event.reason == "Ana went home"
    assert event.by_user == supervisor and event.previous_holder == claim.worker
    with pytest.raises(ListNotClaimed):
        force_release(packing_list.pk, by_user=supervisor, reason="again")
    with pytest.raises(NotClaimHolder):
        scan(packing_list.pk, token=claim.token, code="ORDER-001")


def test_station_busy_with_other_workers_list(packing_list):
    station = build_station()
    claimed(build_list({"X": [("A", 1)]}), station=station)
    with pytest.raises(StationBusy):
        claim_list(packing_list.pk, worker=build_worker(), station=station)


def test_same_worker_moving_to_another_list_releases_the_old_one(packing_list):
    old = claimed(build_list({"X": [("A", 1)]}))
    claim_list(packing_list.pk, worker=old.worker, station=old.station)
    assert PackingList.objects.get(pk=old.list_id).claim_token is None
    assert ClaimEvent.objects.filter(packing_list_id=old.list_id, kind="release").exists()


def test_completed_list_cannot_be_claimed_or_scanned(packing_list):
    claim = claimed(packing_list)
    PackingList.objects.filter(pk=packing_list.pk).update(status="completed")
    with pytest.raises(ListCompleted):
        lock_claimed_list(packing_list.pk, claim.token)
    other = build_list({"Y": [("A", 1)]})
    PackingList.objects.filter(pk=other.pk).update(status="completed")
    with pytest.raises(ListCompleted):
        claim_list(other.pk, worker=build_worker(), station=build_station())


def test_s25_resume_after_release_and_takeover_keeps_every_count(packing_list):
    claim = claimed(packing_list)
    t = claim.token
    scan(packing_list.pk, token=t, code="ORDER-002")
    perform_action(packing_list.pk, token=t, action="skip")
    scan(packing_list.pk, token=t, code="ORDER-001")
    for code in ("SKU-A", "SKU-B", "SKU-B", "nope"):
        scan(packing_list.pk, token=t, code=code)
    order = Order.objects.get(packing_list=packing_list, number="ORDER-001")
    before = order_snapshot(order)
    release(packing_list.pk, token=t)
    second = claimed(packing_list)
    age_heartbeat(packing_list, 300)
    third = take_over(packing_list.pk, worker=second.worker, station=build_station(),
                      by_user=second.worker.user)
    order.refresh_from_db()
    assert order_snapshot(order) == before
    answer = scan(packing_list.pk, token=str(third.claim_token), code="SKU-A")
    assert answer["outcome"] == "complete_with_extras"  # the SKU-B extra is still unresolved
    assert answer["list"]["skipped_orders"] == 1


def order_snapshot(order):
    return {
        "status": order.status, "started_at": order.started_at,
        "first_item_at": order.first_item_at, "corrections": order.corrections,
        "extra_scans": order.extra_scans, "unknown_scans": order.unknown_scans,
        "manual_confirmations": order.manual_confirmations,
        "items": [(i.sku, i.packed) for i in order.items.order_by("line_number")],
        "extras": [(e.sku, e.pending) for e in order.extras.all()],
    }
