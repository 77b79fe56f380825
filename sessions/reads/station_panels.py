"""What the packer's pages read: open lists of a client, today's history, courier deadlines,
the end-of-list summary.

Selectors, so the pick page, the station screen and anything else that shows these agree.
"""

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profiles.models import CourierDeadline
from sessions.models import Order, OrderExtra, PackingList, PackingSession
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


def duration_text(seconds):
    """"1 h 05 min", "12 min", "40 s" in the user's language."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes}
    return ngettext("%(n)d s", "%(n)d s", seconds) % {"n": seconds}


def end_summary(packing_list, now=None):
    """The end-of-list screen: [{"key", "label", "value"}] — orders, units, skipped, flagged,
    extras kept, wrong scans, time (from the list's own counters and its extras)."""
    counters = list_counters(packing_list)
    kept = (OrderExtra.objects.filter(order__packing_list=packing_list)
            .aggregate(n=Sum("kept"))["n"] or 0)
    end = packing_list.ended_at or now or timezone.now()
    started = packing_list.started_at
    rows = [
        ("orders", _("Orders packed"),
         _("%(done)d of %(all)d") % {"done": counters["completed_orders"],
                                     "all": counters["orders"]}),
        ("units", _("Units packed"),
         _("%(done)d of %(all)d") % {"done": counters["packed_units"],
                                     "all": counters["required_units"]}),
        ("skipped", _("Skipped"), str(counters["skipped_orders"])),
        ("flagged", _("Flagged for a supervisor"), str(counters["needs_review_orders"])),
        ("extras_kept", _("Extras kept"), str(kept)),
        ("wrong_scans", _("Wrong scans"), str(packing_list.wrong_scans)),
        ("time", _("Time"), duration_text((end - started).total_seconds()) if started else "—"),
    ]
    return [{"key": k, "label": label, "value": value} for k, label, value in rows]
