"""What the packer's pages read: open lists of a client, today's history, courier deadlines.

Selectors, so the pick page, the station screen and anything else that shows these agree.
"""

from django.utils import timezone

from profiles.models import CourierDeadline
from sessions.models import Order, PackingList, PackingSession
from sessions.reads.payloads import claim_state, iso, list_counters

HISTORY_SIZE = 20


def open_lists(client):
    """The lists of a client's open sessions that are not ended, with counters and claim."""
    sessions = list(
        PackingSession.objects.filter(client=client, status=PackingSession.Status.OPEN)
        .order_by("-created_at", "-id")
    )
    lists = list(
        PackingList.objects.filter(session__in=sessions)
        .exclude(status=PackingList.Status.COMPLETED)
        .select_related("holder", "station", "session")
    )
    by_session = {s.pk: [] for s in sessions}
    for pl in lists:
        by_session[pl.session_id].append(
            {"list": pl, "counters": list_counters(pl), "claim": claim_state(pl)}
        )
    return [(s, by_session[s.pk]) for s in sessions if by_session[s.pk]]


def station_history(station, limit=HISTORY_SIZE):
    """Orders completed at this station today, newest first (the history panel)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    orders = (
        Order.objects.filter(completed_station=station, status=Order.Status.COMPLETED,
                             completed_at__gte=start)
        .order_by("-completed_at")[:limit]
    )
    return [{"number": o.number, "at": iso(o.completed_at)} for o in orders]


def courier_deadlines(client):
    """{courier in lower case: "HH:MM"} for the order banner's time-left countdown."""
    return {d.courier.lower(): d.deadline.strftime("%H:%M")
            for d in CourierDeadline.objects.filter(client=client)}
