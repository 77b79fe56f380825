"""What the supervisor's floor view shows: every claimed list, read from the database.

One function builds a row for the page's first render, for a WebSocket (re)connect and for
every live update, so a screen that missed a message is corrected by the next one it gets.
The row is the list payload (the same figures as the station and the API) plus the last scan
and the error count (scans answered with one of sessions.selectors.WRONG_OUTCOMES).
"""

from django.db.models import Count, Q
from django.utils import timezone

from sessions.models import PackingList, ScanEvent
from sessions.payloads import list_payload
from sessions.selectors import WRONG_OUTCOMES


def claimed_lists():
    """Every list a station holds right now, oldest claim first."""
    return (
        PackingList.objects.filter(claim_token__isnull=False)
        .select_related("session__client", "holder", "station", "open_order")
        .order_by("claimed_at", "id")
    )


def floor_rows(now=None):
    """Rows of every claimed list (a snapshot for the page and for a reconnecting socket)."""
    lists = list(claimed_lists())
    ids = [pl.pk for pl in lists]
    errors = dict(
        ScanEvent.objects.filter(packing_list_id__in=ids, action=ScanEvent.Action.SCAN)
        .values_list("packing_list_id")
        .annotate(n=Count("id", filter=Q(outcome__in=WRONG_OUTCOMES)))
    )
    last = last_scans(ids)
    return [_row(pl, errors.get(pl.pk, 0), last.get(pl.pk), now) for pl in lists]


def floor_row(list_id, now=None):
    """The row of one list, or a {"id", "released": True} row when nobody holds it any more."""
    pl = (
        PackingList.objects.filter(pk=list_id)
        .select_related("session__client", "holder", "station", "open_order").first()
    )
    if pl is None or pl.claim_token is None:
        return {"id": int(list_id), "released": True}
    errors = ScanEvent.objects.filter(
        packing_list=pl, action=ScanEvent.Action.SCAN, outcome__in=WRONG_OUTCOMES).count()
    return _row(pl, errors, last_scans([pl.pk]).get(pl.pk), now)


def last_scans(list_ids):
    """The latest scan event of each list, as {list_id: {"code", "outcome", "at", ...}}."""
    if not list_ids:
        return {}
    latest = (
        ScanEvent.objects.filter(packing_list_id__in=list_ids)
        .order_by("packing_list_id", "-created_at", "-id")
        .select_related("worker", "station")
    )
    out = {}
    if latest.query.get_compiler(using=latest.db).connection.vendor == "postgresql":
        latest = latest.distinct("packing_list_id")
        rows = list(latest)
    else:
        rows = []
        for list_id in list_ids:
            event = latest.filter(packing_list_id=list_id).first()
            if event:
                rows.append(event)
    for event in rows:
        out[event.packing_list_id] = {
            "code": event.raw_code, "outcome": event.outcome, "action": event.action,
            "at": event.created_at.isoformat(),
            "worker": event.worker.display_name if event.worker else None,
            "station": event.station.name if event.station else None,
        }
    return out


def _row(pl, errors, last_scan, now):
    row = list_payload(pl)
    row.update({
        "errors": errors,
        "last_scan": last_scan,
        "server_now": (now or timezone.now()).isoformat(),
    })
    return row
