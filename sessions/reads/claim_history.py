"""Who held a list, who ended each claim, from which station, when and why (the ClaimEvent log).

`claim_ended` answers a station whose token stopped working (the screen says who released it
and why); `claim_history` gives the rows of the list details page, naming the actor, the
holder whose claim changed and the station for every kind of event.
"""

import uuid

from sessions.models import ClaimEvent
from sessions.reads.payloads import iso

ENDING_KINDS = (ClaimEvent.Kind.RELEASE, ClaimEvent.Kind.TAKEOVER,
                ClaimEvent.Kind.FORCE_RELEASE, ClaimEvent.Kind.REASSIGN, ClaimEvent.Kind.END)
# Done by a supervisor's account on someone else's claim.
BY_SUPERVISOR = (ClaimEvent.Kind.FORCE_RELEASE, ClaimEvent.Kind.REASSIGN)


def _name(worker):
    return worker.display_name if worker is not None else None


def actor(event):
    """Who did it: the supervisor's account for a force-release or a reassign, otherwise the
    worker."""
    if event.kind in BY_SUPERVISOR or event.worker_id is None:
        user = event.by_user
        if user is None:
            return _name(event.worker)
        worker = getattr(user, "worker", None)
        return _name(worker) or user.get_username()
    return _name(event.worker)


def holder(event):
    """Whose claim it was (the one it ended), or the new holder for a claim."""
    if event.kind in (ClaimEvent.Kind.CLAIM,):
        return _name(event.worker)
    return _name(event.previous_holder) or _name(event.worker)


def station(event):
    if event.kind in (ClaimEvent.Kind.CLAIM,):
        return event.station.name if event.station_id else None
    place = event.previous_station or event.station
    return place.name if place is not None else None


def claim_ended(list_id, token):
    """How the claim with this token ended ({kind, by, holder, station, at, reason}), or None."""
    try:
        token = uuid.UUID(str(token).strip())
    except ValueError:
        return None
    event = (ClaimEvent.objects.filter(packing_list_id=list_id, claim_token=token,
                                       kind__in=ENDING_KINDS)
             .select_related("worker", "by_user__worker", "previous_holder", "previous_station",
                             "station")
             .order_by("-created_at", "-id").first())
    if event is None:
        return None
    return {"kind": event.kind, "by": actor(event), "holder": holder(event),
            "station": station(event), "at": iso(event.created_at), "reason": event.reason}


def claim_history(packing_list, limit=30):
    """The latest claim events of a list as rows: when, what, by whom, whose claim, where, why,
    and the supervisor's approval when one was needed."""
    events = (packing_list.claim_events
              .select_related("worker", "station", "previous_holder", "previous_station",
                              "by_user__worker", "approval__approver")[:limit])
    rows = []
    for event in events:
        approval = getattr(event, "approval", None)
        rows.append({
            "at": event.created_at, "kind": event.kind, "label": event.get_kind_display(),
            "by": actor(event), "holder": holder(event), "station": station(event),
            "reason": event.reason,
            "approved_by": approval.approver.display_name if approval else None,
        })
    return rows
