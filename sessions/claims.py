"""Claims on packing lists: the server's replacement for the old `.session.lock` file.

A station claims a list for a worker and gets a token; only that token may scan. The station
sends heartbeats; a claim without one for PACKER_STALE_AFTER_SECONDS is stale and may be taken
over by the same worker or a supervisor. A supervisor may force-release any claim with a reason.
Every change runs under a row lock on the list (the same lock every scan takes) and is logged
as a ClaimEvent, so "who held it, when, and why it changed hands" is always answerable.
"""

import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.roles import is_supervisor
from sessions.errors import (
    ClaimNotStale,
    Forbidden,
    InvalidRequest,
    ListClaimed,
    ListCompleted,
    ListNotClaimed,
    StationBusy,
)
from sessions.live.publish import publish_heartbeat, publish_list_event
from sessions.models import ClaimEvent, PackingList
from sessions.reads.payloads import claim_state, stale_after
from sessions.scanning.frame import lock_claimed_list
from sessions.scanning.sql import lock_list


def _claimed_error(packing_list, now):
    state = claim_state(packing_list, now)
    if state["stale"]:
        message = _(
            "%(holder)s held this list at station %(station)s since %(since)s; the claim is "
            "stale and may be taken over."
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
    )


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
    other_ids = list(
        PackingList.objects.filter(station=station).exclude(pk=keep_list_id).order_by()
        .values_list("pk", flat=True)[:1]
    )
    other_id = other_ids[0] if other_ids else None
    if other_id is None:
        return
    other = lock_list(other_id)
    if other.station_id != station.pk:  # released while we waited for the lock
        return
    if other.holder_id != worker.pk:
        raise StationBusy(
            _("Station %(station)s holds list %(list)s for %(holder)s.")
            % {"station": station.name, "list": other.name, "holder": other.holder.display_name},
            list_id=other.pk, holder=other.holder.display_name,
        )
    _clear_claim(other)
    other.save(update_fields=CLAIM_FIELDS)
    ClaimEvent.objects.create(
        packing_list=other, kind=ClaimEvent.Kind.RELEASE, worker=worker, station=station,
        reason=_("Released automatically: the worker claimed another list at this station."),
        created_at=now,
    )
    publish_list_event(other)


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


def claim_list(list_id, *, worker, station):
    """Claim a list for a worker at a station; a reload of the holder's page gets its token back."""
    with transaction.atomic():
        packing_list = lock_list(list_id)
        now = timezone.now()
        if packing_list.status == PackingList.Status.COMPLETED:
            raise ListCompleted()
        if packing_list.claim_token is not None:
            if packing_list.holder_id == worker.pk and packing_list.station_id == station.pk:
                packing_list.heartbeat_at = now
                packing_list.save(update_fields=["heartbeat_at"])
                return packing_list
            raise _claimed_error(packing_list, now)
        _assign(packing_list, worker=worker, station=station, now=now)
        ClaimEvent.objects.create(
            packing_list=packing_list, kind=ClaimEvent.Kind.CLAIM, worker=worker,
            station=station, created_at=now,
        )
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


def release(list_id, *, token):
    """The holder gives the list back; the open order and every count stay as they are."""
    with transaction.atomic():
        packing_list = lock_claimed_list(list_id, token)
        worker, station = packing_list.holder, packing_list.station
        _clear_claim(packing_list)
        packing_list.save(update_fields=CLAIM_FIELDS)
        ClaimEvent.objects.create(
            packing_list=packing_list, kind=ClaimEvent.Kind.RELEASE, worker=worker,
            station=station,
        )
        publish_list_event(packing_list)


def take_over(list_id, *, worker, station, by_user, reason=""):
    """Take a stale claim (same worker, or a supervisor on anyone's behalf).

    An active claim is refused: only force_release may end it, and that needs a reason.
    A list that turned out to be free is simply claimed.
    """
    with transaction.atomic():
        packing_list = lock_list(list_id)
        now = timezone.now()
        if packing_list.status == PackingList.Status.COMPLETED:
            raise ListCompleted()
        if packing_list.claim_token is None:
            return claim_list(list_id, worker=worker, station=station)
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
        if packing_list.holder_id != worker.pk and not is_supervisor(by_user):
            raise Forbidden(
                _("Only %(holder)s or a supervisor may take over this list.")
                % {"holder": state["holder"]}
            )
        previous_holder, previous_station = packing_list.holder, packing_list.station
        _assign(packing_list, worker=worker, station=station, now=now)
        ClaimEvent.objects.create(
            packing_list=packing_list, kind=ClaimEvent.Kind.TAKEOVER, worker=worker,
            station=station, previous_holder=previous_holder, previous_station=previous_station,
            by_user=by_user if getattr(by_user, "pk", None) else None,
            reason=str(reason or "").strip(), created_at=now,
        )
        publish_list_event(packing_list)
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
        _clear_claim(packing_list)
        packing_list.save(update_fields=CLAIM_FIELDS)
        ClaimEvent.objects.create(
            packing_list=packing_list, kind=ClaimEvent.Kind.FORCE_RELEASE,
            previous_holder=previous_holder, previous_station=previous_station,
            by_user=by_user, reason=reason,
        )
        publish_list_event(packing_list)


def stale_cutoff(now=None):
    """Heartbeats older than this are stale (for queries listing stale claims)."""
    return (now or timezone.now()) - timedelta(seconds=stale_after())
