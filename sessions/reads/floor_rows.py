"""What the supervisor's floor view shows: every claimed list, read from the database.

One function builds a row for the page's first render, for a WebSocket (re)connect and for
every live update, so a screen that missed a message is corrected by the next one it gets.
The row is the list payload (the same figures as the station and the API) plus the last scan
and the error count (scans answered with one of sessions.outcomes.WRONG).
"""

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from sessions.models import PackingList, ScanEvent
from sessions.outcomes import WRONG
from sessions.reads.payloads import iso, list_counters, list_payload


def claimed_lists():
    """Every list a station holds right now, oldest claim first."""
    return (
        PackingList.objects.filter(claim_token__isnull=False)
        .select_related("session__client", "holder", "station", "open_order")
        .order_by("claimed_at", "id")
    )


def floor_rows(now=None):
    """Rows of every claimed list (a snapshot for the page and for a reconnecting socket).

    A fixed number of queries whatever the number of lists: counters, errors and last scans
    are read in bulk.
    """
    lists = list(claimed_lists())
    return _rows(lists, now)


def floor_row(list_id, now=None):
    """The row of one list, or a {"id", "released": True} row when nobody holds it any more."""
    pl = claimed_lists().filter(pk=list_id).first()
    if pl is None:
        return {"id": int(list_id), "released": True}
    return _rows([pl], now)[0]


def error_counts(list_ids):
    """{list id: scans answered with a wrong outcome} (unknown item, extra, other label)."""
    return dict(
        ScanEvent.objects.filter(packing_list_id__in=list_ids, action=ScanEvent.Action.SCAN,
                                 outcome__in=WRONG)
        .values_list("packing_list_id").annotate(n=Count("id")).order_by()
    )


def last_scans(list_ids):
    """The latest scan event of each list, as {list_id: {"code", "outcome", "at", ...}}."""
    if not list_ids:
        return {}
    latest = ScanEvent.objects.filter(packing_list=OuterRef("pk")).order_by("-created_at", "-id")
    event_ids = (
        PackingList.objects.filter(pk__in=list_ids)
        .annotate(last=Subquery(latest.values("id")[:1])).values_list("last", flat=True)
    )
    events = ScanEvent.objects.filter(pk__in=[i for i in event_ids if i]).select_related(
        "worker", "station")
    return {
        event.packing_list_id: {
            "code": event.raw_code, "outcome": event.outcome, "action": event.action,
            "at": iso(event.created_at),
            "worker": event.worker.display_name if event.worker else None,
            "station": event.station.name if event.station else None,
        }
        for event in events
    }


def _rows(lists, now):
    ids = [pl.pk for pl in lists]
    counters = list_counters(ids)
    errors = error_counts(ids)
    last = last_scans(ids)
    now = now or timezone.now()
    rows = []
    for pl in lists:
        row = list_payload(pl, counters=counters[pl.pk], now=now)
        row.update({"errors": errors.get(pl.pk, 0), "last_scan": last.get(pl.pk),
                    "server_now": iso(now)})
        rows.append(row)
    return rows
