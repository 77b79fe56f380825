"""Ending a packing list: the holder (or a supervisor) closes it and the report becomes final.

Ending is the old app's "End session": the list leaves the floor, its claim is released and
logged (ClaimEvent kind=end with who, where and why), and the completion report / summary
describe it from then on; `list.ended` (and `session.completed` with the session's last list)
go to the webhook outbox in the same transaction. The report is regenerated on demand
(sessions/reports.py), so ending writes no file that could go stale.

Open orders (new, in progress, or waiting for a review) block an ordinary end: the caller gets
InvalidAction listing them, and ends anyway with force=True once a person has confirmed (the
station asks) and a supervisor has approved (stored with the END event). Skipped orders do not
block: skipping was already a decision. Nothing is half-written: one transaction
under the list's row lock, the same lock every scan takes, so no scan can slip in meanwhile.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profiles.roles import is_supervisor
from profiles.services import worker_for_user
from sessions import approvals, outbox
from sessions.claims import lock_claimed_list, lock_list
from sessions.errors import Forbidden, InvalidAction, ListCompleted
from sessions.live.publish import publish_list_event
from sessions.models import ApprovalAction, ClaimEvent, Order, PackingList, PackingSession
from sessions.reports import list_summary

OPEN_STATUSES = (Order.Status.NEW, Order.Status.IN_PROGRESS, Order.Status.NEEDS_REVIEW)


def open_order_numbers(packing_list):
    """Numbers of the orders not yet packed nor skipped, in list order."""
    return list(
        packing_list.orders.filter(status__in=OPEN_STATUSES).order_by("sequence", "id")
        .values_list("number", flat=True)
    )


def _lock_for_end(list_id, token, by_user):
    """The locked list and who ends it: the claim holder (token) or a supervisor (no token)."""
    if token:
        packing_list = lock_claimed_list(list_id, token)
        return packing_list, packing_list.holder, packing_list.station
    if not is_supervisor(by_user):
        raise Forbidden(_("Only the station holding this list or a supervisor may end it."))
    packing_list = lock_list(list_id)
    if packing_list.status == PackingList.Status.COMPLETED:
        raise ListCompleted()
    return packing_list, worker_for_user(by_user), packing_list.station


def _open_message(open_numbers):
    count = len(open_numbers)
    return ngettext(
        "%(count)d order is not packed yet: %(orders)s. End the list anyway?",
        "%(count)d orders are not packed yet: %(orders)s. End the list anyway?",
        count,
    ) % {"count": count, "orders": ", ".join(open_numbers[:20]) + ("…" if count > 20 else "")}


def _refuse_open_orders(open_numbers, approver):
    """Ask first (400 with the open orders); `needs_approval` says whether ending anyway will
    need a supervisor's approval too, so the station asks for both at once."""
    raise InvalidAction(_open_message(open_numbers), open_orders=open_numbers,
                        needs_approval=approver is None,
                        approve_with=list(approvals.APPROVE_WITH))


def _close(packing_list, *, worker, station, by_user, open_numbers, now):
    """Log the end, release the claim and mark the list completed (inside the lock)."""
    reason = ""
    if open_numbers:
        reason = f"ended early with {len(open_numbers)} open order(s): {', '.join(open_numbers)}"
    event = ClaimEvent.objects.create(
        packing_list=packing_list, kind=ClaimEvent.Kind.END, worker=worker, station=station,
        previous_holder=packing_list.holder, previous_station=packing_list.station,
        by_user=by_user if by_user is not None and by_user.is_authenticated else None,
        reason=reason[:2000], claim_token=packing_list.claim_token, created_at=now,
    )
    packing_list.holder = packing_list.station = None
    packing_list.claim_token = packing_list.claimed_at = packing_list.heartbeat_at = None
    packing_list.open_order = None
    packing_list.status = PackingList.Status.COMPLETED
    packing_list.ended_at = now
    packing_list.ended_by = worker
    packing_list.started_at = packing_list.started_at or now
    packing_list.save(update_fields=[
        "holder", "station", "claim_token", "claimed_at", "heartbeat_at", "open_order",
        "status", "ended_at", "ended_by", "started_at",
    ])
    return event


def _complete_session_if_done(session, now):
    """A session is completed once every one of its lists is (`session.completed` is written
    once: only by the end that changes its status)."""
    if session.lists.exclude(status=PackingList.Status.COMPLETED).exists():
        return
    changed = PackingSession.objects.filter(pk=session.pk).exclude(
        status=PackingSession.Status.COMPLETED).update(
        status=PackingSession.Status.COMPLETED, completed_at=now)
    if changed:
        session.status, session.completed_at = PackingSession.Status.COMPLETED, now
        outbox.session_completed(session, now)


def end_list(list_id, *, token=None, by_user=None, force=False, approver=None):
    """End a packing list and return its summary (sessions.reports.list_summary).

    Raises NotClaimHolder (wrong token), Forbidden (no token and not a supervisor),
    ListCompleted (already ended), InvalidAction with details {"open_orders": [numbers],
    "needs_approval"} when orders are still open and force is False, ApprovalRequired when
    they are and force is True without a supervisor's approval (`approver`, see
    sessions.approvals.approver_for).
    """
    with transaction.atomic():
        packing_list, worker, station = _lock_for_end(list_id, token, by_user)
        open_numbers = open_order_numbers(packing_list)
        if open_numbers and not force:
            _refuse_open_orders(open_numbers, approver)
        if open_numbers:
            approvals.require(approver, ApprovalAction.END_EARLY, ngettext(
                "Ending the list with %(count)d open order needs a supervisor's approval.",
                "Ending the list with %(count)d open orders needs a supervisor's approval.",
                len(open_numbers)) % {"count": len(open_numbers)}, open_orders=open_numbers)
        now = timezone.now()
        event = _close(packing_list, worker=worker, station=station, by_user=by_user,
                       open_numbers=open_numbers, now=now)
        if open_numbers:
            approvals.record(approver, ApprovalAction.END_EARLY, packing_list=packing_list,
                             requested_by=worker, station=station, claim_event=event)
        outbox.list_ended(packing_list, now)
        _complete_session_if_done(packing_list.session, now)
        publish_list_event(packing_list, stations=[station.pk] if station else ())
        return list_summary(packing_list)
