"""Claims on packing lists: the server's replacement for the old `.session.lock` file.

A station claims a list for a worker and gets a token; only that token may scan. The station
sends heartbeats; a claim without one for PACKER_STALE_AFTER_SECONDS is stale and may be taken
over by the same worker or a supervisor. A supervisor may force-release any claim with a reason,
and that holds: the released station (and worker) may claim the list again only after
PACKER_RELEASE_COOLDOWN_SECONDS, or at once with a supervisor's approval. A holder may release
their own list (a break, a shift change) and any packer may then claim it.
Every change runs under a row lock on the list (the same lock every scan takes) and is logged
as a ClaimEvent with the token of the claim it ended, so "who held it, when, and why it changed
hands" is always answerable, also to the station that lost it.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.roles import has_floor_role, is_supervisor
from sessions import approvals
from sessions.errors import (
    ClaimNotStale,
    Forbidden,
    InvalidRequest,
    ListClaimed,
    ListCompleted,
    ListNotClaimed,
    ReleaseCooldown,
    StationBusy,
)
from sessions.live.publish import publish_heartbeat, publish_list_event
from sessions.models import ApprovalAction, ClaimEvent, PackingList
from sessions.reads.claim_history import actor
from sessions.reads.payloads import claim_state, iso, stale_after
from sessions.scanning.frame import lock_claimed_list
from sessions.scanning.sql import as_id, lock_list

REASON_MAX = 2000


def may_take_over(packing_list, state, worker, by_user):
    """A stale claim may be taken over by its own worker or by a supervisor."""
    return bool(state and state["stale"]) and (
        (worker is not None and packing_list.holder_id == worker.pk) or is_supervisor(by_user))


def _claimed_error(packing_list, now, worker=None, by_user=None):
    state = claim_state(packing_list, now)
    can_take_over = may_take_over(packing_list, state, worker, by_user)
    if can_take_over:
        message = _(
            "%(holder)s held this list at station %(station)s since %(since)s; the claim is "
            "stale and may be taken over."
        )
    elif state["stale"]:
        message = _(
            "%(holder)s held this list at station %(station)s since %(since)s; the claim is "
            "stale. Ask a supervisor to take it over or release it."
        )
    else:
        message = _(
            "This list is in use by %(holder)s at station %(station)s since %(since)s."
        )
    params = {"holder": state["holder"], "station": state["station"],
              "since": timezone.localtime(packing_list.claimed_at).strftime("%Y-%m-%d %H:%M")}
    return ListClaimed(
        message % params, holder=state["holder"], station=state["station"],
        since=state["since"], stale=state["stale"], heartbeat_at=state["heartbeat_at"],
        can_take_over=can_take_over,
    )


def cooldown():
    """Seconds a force-released station or worker waits before claiming that list again."""
    return settings.PACKER_RELEASE_COOLDOWN_SECONDS


def _recent_force_release(packing_list, worker, station, now):
    """The force-release that still holds for this worker or station, or None."""
    return (
        ClaimEvent.objects.filter(
            packing_list=packing_list, kind=ClaimEvent.Kind.FORCE_RELEASE,
            created_at__gt=now - timedelta(seconds=cooldown()))
        .filter(Q(previous_station=station) | Q(previous_holder=worker))
        .select_related("by_user__worker", "worker").order_by("-created_at", "-id").first()
    )


def _check_cooldown(packing_list, worker, station, approver, now):
    """ReleaseCooldown unless a supervisor approves; returns the event that needed it."""
    event = _recent_force_release(packing_list, worker, station, now)
    if event is None:
        return None
    until = event.created_at + timedelta(seconds=cooldown())
    if approver is None:
        params = {"by": actor(event), "at": timezone.localtime(event.created_at)
                  .strftime("%H:%M"), "reason": event.reason,
                  "until": timezone.localtime(until).strftime("%H:%M")}
        raise ReleaseCooldown(
            _("%(by)s released this list from here at %(at)s: “%(reason)s”. It can be claimed "
              "here again after %(until)s, or now with a supervisor's approval.") % params,
            released_by=actor(event), released_at=iso(event.created_at), reason=event.reason,
            until=iso(until), approve_with=list(approvals.APPROVE_WITH),
        )
    return event


def _clear_claim(packing_list):
    packing_list.holder = None
    packing_list.station = None
    packing_list.claim_token = None
    packing_list.claimed_at = None
    packing_list.heartbeat_at = None


CLAIM_FIELDS = ["holder", "station", "claim_token", "claimed_at", "heartbeat_at"]


def _free_station(station, worker, keep_list_id, now):
    """Make `station` free for a new claim.

    The same worker moving on to another list releases the old one (they just walked away from
    it); another worker's claim at this station is a refusal, never silently dropped.
    """
    other_id = _station_list_id(station, keep_list_id)
    if other_id is None:
        return
    other = lock_list(other_id)  # already locked by _lock_for_claim, in id order
    if other.station_id != station.pk:  # released while we waited for the lock
        return
    if other.holder_id != worker.pk:
        raise StationBusy(
            _("Station %(station)s holds list %(list)s for %(holder)s.")
            % {"station": station.name, "list": other.name, "holder": other.holder.display_name},
            list_id=other.pk, holder=other.holder.display_name,
        )
    token = other.claim_token
    _clear_claim(other)
    other.save(update_fields=CLAIM_FIELDS)
    ClaimEvent.objects.create(
        packing_list=other, kind=ClaimEvent.Kind.RELEASE, worker=worker, station=station,
        reason=_("Released automatically: the worker claimed another list at this station."),
        claim_token=token, created_at=now,
    )
    publish_list_event(other)


def _station_list_id(station, keep_list_id):
    """The id of the list `station` holds other than `keep_list_id`, or None (no lock)."""
    ids = list(PackingList.objects.filter(station=station).exclude(pk=keep_list_id).order_by()
               .values_list("pk", flat=True)[:1])
    return ids[0] if ids else None


def _lock_for_claim(list_id, station):
    """Lock the list to claim and the list `station` holds now, lowest id first.

    A claim or take-over touches two lists: its target and the station's current list (freed
    by `_free_station`). Locking the target first deadlocked two supervisors taking over at
    each other's stations (each held one list and waited for the other's); one global order,
    ascending ids, cannot form a cycle. If the station took yet another list while we waited,
    it is locked too when that keeps the order; otherwise the station is busy.
    """
    target = as_id(list_id)
    if target is None:
        return lock_list(list_id)  # NotFound
    held = {}
    while True:
        wanted = {target, _station_list_id(station, target)} - {None}
        missing = sorted(wanted - held.keys())
        if not missing:
            return held[target]
        if held and missing[0] < max(held):
            raise StationBusy()
        for pk in missing:
            held[pk] = lock_list(pk)


def _assign(packing_list, *, worker, station, now):
    """Give the (locked) list to worker+station with a fresh token."""
    _free_station(station, worker, packing_list.pk, now)
    packing_list.holder = worker
    packing_list.station = station
    packing_list.claim_token = uuid.uuid4()
    packing_list.claimed_at = now
    packing_list.heartbeat_at = now
    fields = list(CLAIM_FIELDS)
    if packing_list.status == PackingList.Status.NOT_STARTED:
        packing_list.status = PackingList.Status.IN_PROGRESS
        fields.append("status")
    if packing_list.started_at is None:
        packing_list.started_at = now
        fields.append("started_at")
    try:
        with transaction.atomic():
            packing_list.save(update_fields=fields)
    except IntegrityError:  # another list was claimed at this station meanwhile
        raise StationBusy() from None


def claim_list(list_id, *, worker, station, by_user=None, approver=None):
    """Claim a list for a worker at a station; a reload of the holder's page gets its token back.

    A station or worker a supervisor force-released from this list a moment ago gets
    ReleaseCooldown unless `approver` (a supervisor's approval, stored with the claim).
    """
    with transaction.atomic():
        packing_list = _lock_for_claim(list_id, station)
        now = timezone.now()
        if packing_list.status == PackingList.Status.COMPLETED:
            raise ListCompleted()
        if packing_list.claim_token is not None:
            if packing_list.holder_id == worker.pk and packing_list.station_id == station.pk:
                packing_list.heartbeat_at = now
                packing_list.save(update_fields=["heartbeat_at"])
                return packing_list
            raise _claimed_error(packing_list, now, worker, by_user)
        held_back = _check_cooldown(packing_list, worker, station, approver, now)
        _assign(packing_list, worker=worker, station=station, now=now)
        event = ClaimEvent.objects.create(
            packing_list=packing_list, kind=ClaimEvent.Kind.CLAIM, worker=worker,
            station=station, created_at=now,
        )
        if held_back is not None:
            approvals.record(approver, ApprovalAction.RECLAIM, packing_list=packing_list,
                             requested_by=worker, station=station, claim_event=event)
        publish_list_event(packing_list)
        return packing_list


def heartbeat(list_id, *, token):
    """The station is alive: refresh the heartbeat (also revives a stale claim nobody took)."""
    with transaction.atomic():
        packing_list = lock_claimed_list(list_id, token)
        now = timezone.now()
        packing_list.heartbeat_at = now
        packing_list.save(update_fields=["heartbeat_at"])
        publish_heartbeat(packing_list, now)
        return packing_list


def release(list_id, *, token, reason=""):
    """The holder gives the list back (a break, a shift change): the open order and every
    count stay as they are, and any packer may claim it next."""
    with transaction.atomic():
        packing_list = lock_claimed_list(list_id, token)
        worker, station = packing_list.holder, packing_list.station
        ended_token = packing_list.claim_token
        _clear_claim(packing_list)
        packing_list.save(update_fields=CLAIM_FIELDS)
        ClaimEvent.objects.create(
            packing_list=packing_list, kind=ClaimEvent.Kind.RELEASE, worker=worker,
            station=station, previous_holder=worker, previous_station=station,
            reason=str(reason or "").strip()[:REASON_MAX], claim_token=ended_token,
        )
        publish_list_event(packing_list, stations=[station.pk])


def take_over(list_id, *, worker, station, by_user, reason="", approver=None):
    """Take a stale claim (same worker, or a supervisor on anyone's behalf).

    An active claim is refused: only force_release may end it, and that needs a reason.
    A list that turned out to be free is simply claimed.
    """
    with transaction.atomic():
        packing_list = _lock_for_claim(list_id, station)
        now = timezone.now()
        if packing_list.status == PackingList.Status.COMPLETED:
            raise ListCompleted()
        if packing_list.claim_token is None:
            return claim_list(list_id, worker=worker, station=station, by_user=by_user,
                              approver=approver)
        state = claim_state(packing_list, now)
        if not state["stale"]:
            raise ClaimNotStale(
                _("%(holder)s is still active at station %(station)s (last heartbeat "
                  "%(age)d s ago).")
                % {"holder": state["holder"], "station": state["station"],
                   "age": state["heartbeat_age_seconds"]},
                holder=state["holder"], station=state["station"], since=state["since"],
                stale=False,
            )
        if not may_take_over(packing_list, state, worker, by_user):
            raise Forbidden(
                _("Only %(holder)s or a supervisor may take over this list.")
                % {"holder": state["holder"]}
            )
        _move(packing_list, ClaimEvent.Kind.TAKEOVER, worker=worker, station=station,
              by_user=by_user, reason=reason, now=now)
        return packing_list


def force_release(list_id, *, by_user, reason):
    """A supervisor ends anyone's claim (active or stale); the reason is kept in the log."""
    if not is_supervisor(by_user):
        raise Forbidden(_("Only a supervisor may force-release a packing list."))
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidRequest(_("Give a reason for releasing this list."))
    with transaction.atomic():
        packing_list = lock_list(list_id)
        if packing_list.claim_token is None:
            raise ListNotClaimed()
        previous_holder, previous_station = packing_list.holder, packing_list.station
        ended_token = packing_list.claim_token
        _clear_claim(packing_list)
        packing_list.save(update_fields=CLAIM_FIELDS)
        ClaimEvent.objects.create(
            packing_list=packing_list, kind=ClaimEvent.Kind.FORCE_RELEASE,
            previous_holder=previous_holder, previous_station=previous_station,
            by_user=by_user, reason=reason[:REASON_MAX], claim_token=ended_token,
        )
        publish_list_event(packing_list, stations=[previous_station.pk])


def reassign(list_id, *, by_user, worker, station, reason=""):
    """A supervisor moves a list (held or waiting) to another station and packer.

    The supervisor's own PC never becomes a station: the target is named, not taken from the
    terminal. It is logged like a take-over (a REASSIGN claim event with the previous holder and
    station, the supervisor and the reason), and the station that held it is told, like after a
    force-release. The target station must be free or hold a list of the same packer (which it
    then lets go), as for any claim; the packer opens the list there and gets its claim.
    """
    if not is_supervisor(by_user):
        raise Forbidden(_("Only a supervisor may reassign a packing list."))
    if not has_floor_role(worker.user):
        raise InvalidRequest(_("%(worker)s has no role on the packing floor.")
                             % {"worker": worker.display_name})
    with transaction.atomic():
        packing_list = _lock_for_claim(list_id, station)
        if packing_list.status == PackingList.Status.COMPLETED:
            raise ListCompleted()
        if packing_list.holder_id == worker.pk and packing_list.station_id == station.pk:
            raise InvalidRequest(_("%(worker)s already holds this list at station %(station)s.")
                                 % {"worker": worker.display_name, "station": station.name})
        _move(packing_list, ClaimEvent.Kind.REASSIGN, worker=worker, station=station,
              by_user=by_user, reason=reason, now=timezone.now())
        return packing_list


def _move(packing_list, kind, *, worker, station, by_user, reason, now):
    """The list goes to `worker` at `station` (a take-over or a reassign): the claim log names
    both holders, both stations and who moved it; both stations' screens are told."""
    previous_holder, previous_station = packing_list.holder, packing_list.station
    ended_token = packing_list.claim_token
    _assign(packing_list, worker=worker, station=station, now=now)
    ClaimEvent.objects.create(
        packing_list=packing_list, kind=kind, worker=worker, station=station,
        previous_holder=previous_holder, previous_station=previous_station,
        by_user=by_user if getattr(by_user, "pk", None) else None,
        reason=str(reason or "").strip()[:REASON_MAX], claim_token=ended_token, created_at=now,
    )
    publish_list_event(packing_list,
                       stations=[previous_station.pk] if previous_station else ())


def stale_cutoff(now=None):
    """Heartbeats older than this are stale (for queries listing stale claims)."""
    return (now or timezone.now()) - timedelta(seconds=stale_after())
