"""What the supervisor's floor view shows: every claimed list, one row each.

One function (`row`) builds a row for the page's first render, for a WebSocket (re)connect
(read here from the database) and for every live update (built once by sessions.live.publish
inside the change's transaction and forwarded as it is by every socket), so a screen that
missed a message is corrected by the next one it gets. The row is the list payload (the same
figures as the station and the API, read from the list's row) plus the last scan, the wrong-scan
count (`errors`: sessions.outcomes.WRONG, also counted on the list's row) and the server's clock.
"""

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from sessions.models import PackingList, ScanEvent
from sessions.reads.payloads import iso, list_payload


def claimed_lists():
    """Every list a station holds right now, oldest claim first."""
    return (
        PackingList.objects.filter(claim_token__isnull=False)
        .select_related("session__client", "holder", "station")
        .order_by("claimed_at", "id")
    )


def floor_rows(now=None):
    """Rows of every claimed list (a snapshot for the page and for a reconnecting socket).

    A fixed number of queries whatever the number of lists: the lists with their counters,
    then the last scans in bulk.
    """
    lists = list(claimed_lists())
    last = last_scans([pl.pk for pl in lists])
    now = now or timezone.now()
    return [row(pl, last.get(pl.pk), now) for pl in lists]


def floor_row(list_id, now=None):
    """The row of one list, or a {"id", "released": True} row when nobody holds it any more."""
    pl = claimed_lists().filter(pk=list_id).first()
    if pl is None:
        return released_row(list_id)
    return row(pl, last_scans([pl.pk]).get(pl.pk), now or timezone.now())


def released_row(list_id):
    return {"id": int(list_id), "released": True}


def row(packing_list, last_scan, now, payload=None):
    """The floor row of a list; `payload` is its list_payload when the caller has built it
    already (a scan's answer). A list nobody holds gets the released row."""
    if packing_list.claim_token is None:
        return released_row(packing_list.pk)
    body = dict(payload) if payload is not None else list_payload(packing_list, now=now)
    body.update({"errors": packing_list.wrong_scans, "last_scan": last_scan,
                 "server_now": iso(now)})
    return body


def scan_summary(event):
    """A scan event as rows show it (worker and station should be loaded with it)."""
    return {
        "code": event.raw_code, "outcome": event.outcome, "action": event.action,
        "at": iso(event.created_at),
        "worker": event.worker.display_name if event.worker_id else None,
        "station": event.station.name if event.station_id else None,
    }


def last_scans(list_ids):
    """The latest scan event of each list, as {list_id: scan_summary}."""
    if not list_ids:
        return {}
    latest = ScanEvent.objects.filter(packing_list=OuterRef("pk")).order_by("-created_at", "-id")
    event_ids = (
        PackingList.objects.filter(pk__in=list_ids)
        .annotate(last=Subquery(latest.values("id")[:1])).values_list("last", flat=True)
    )
    events = ScanEvent.objects.filter(pk__in=[i for i in event_ids if i]).select_related(
        "worker", "station")
    return {event.packing_list_id: scan_summary(event) for event in events}
