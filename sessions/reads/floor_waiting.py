"""Lists waiting on the floor, and the day's figures of the floor view.

Waiting: every list nobody holds that is not ended (status not completed), half-packed ones
first, each with the claim event that let it go (a release by its packer, a supervisor's
force-release, with who, when and why), so a force-released list never vanishes from the floor.
Rows carry codes, not words (statuses, claim event kinds): one row serves every floor screen,
each in its own language (`waiting_words` goes into the page config).

The day: orders and units packed and wrong scans in the warehouse's local day
(settings.TIME_ZONE), whatever list they belong to now. The definitions are those of
sessions.metrics: orders packed = completed orders (by completion time); units packed = packed
units of those orders; wrong scans = scans answered one of sessions.outcomes.WRONG.
"""

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone

from sessions.models import ClaimEvent, Order, PackingList, ScanEvent
from sessions.outcomes import WRONG
from sessions.reads.claim_history import actor, holder, station
from sessions.reads.floor_stations import local_day_start
from sessions.reads.payloads import iso

WAITING_MAX = 200
LET_GO = (ClaimEvent.Kind.RELEASE, ClaimEvent.Kind.FORCE_RELEASE)


def waiting_lists(limit=WAITING_MAX):
    """Lists not claimed and not ended: half-packed first, then by age (three queries)."""
    let_go = ClaimEvent.objects.filter(packing_list=OuterRef("pk"), kind__in=LET_GO) \
        .order_by("-created_at", "-id")
    lists = list(
        PackingList.objects.filter(claim_token__isnull=True)
        .exclude(status=PackingList.Status.COMPLETED)
        .select_related("session__client", "open_order")
        .annotate(let_go=Subquery(let_go.values("id")[:1]))
        .order_by("-packed_units", "created_at", "id")[:limit])
    events = {e.pk: e for e in ClaimEvent.objects.filter(pk__in=[pl.let_go for pl in lists])
              .select_related("worker", "by_user__worker", "previous_holder",
                              "previous_station", "station")}
    return [waiting_row(pl, events.get(pl.let_go)) for pl in lists]


def waiting_row(packing_list, event):
    return {
        "id": packing_list.pk, "name": packing_list.name,
        "client": packing_list.session.client.code,
        "session_external_id": packing_list.session.external_id,
        "status": packing_list.status,
        "orders": packing_list.order_count, "completed_orders": packing_list.completed_orders,
        "skipped_orders": packing_list.skipped_orders,
        "needs_review_orders": packing_list.needs_review_orders,
        "packed_units": packing_list.packed_units,
        "required_units": packing_list.required_units,
        "open_order": packing_list.open_order.number if packing_list.open_order_id else None,
        "let_go": None if event is None else {
            "kind": event.kind, "by": actor(event),
            "holder": holder(event), "station": station(event), "at": iso(event.created_at),
            "reason": event.reason,
        },
    }


def waiting_words():
    """The words of list statuses and claim event kinds, in the active language."""
    return {"statuses": {k: str(v) for k, v in PackingList.Status.choices},
            "letGo": {k: str(v) for k, v in ClaimEvent.Kind.choices}}


def day_figures(now=None):
    """Orders and units packed and wrong scans since local midnight (two queries)."""
    now = now or timezone.now()
    start = local_day_start(now)
    packed = Order.objects.filter(status=Order.Status.COMPLETED, completed_at__gte=start) \
        .aggregate(orders=Count("id", distinct=True), units=Sum("items__packed"))
    wrong = ScanEvent.objects.filter(action=ScanEvent.Action.SCAN, outcome__in=WRONG,
                                     created_at__gte=start).count()
    return {"orders_packed": packed["orders"] or 0, "units_packed": packed["units"] or 0,
            "wrong_scans": wrong, "day": timezone.localtime(now).date().isoformat()}
