"""Flagged orders waiting for a supervisor (status needs_review), for the floor view, the
session browser and the list details page: which order, of which list, what is wrong, who
flagged it and when."""

from django.db.models import OuterRef, Subquery

from sessions.models import Order, ScanEvent
from sessions.outcomes import Outcome


def orders_to_review(packing_list=None, limit=200):
    """Flagged orders (oldest flag first), each with its list, client and the flag's story."""
    flags = ScanEvent.objects.filter(order=OuterRef("pk"), outcome=Outcome.ORDER_FLAGGED) \
        .order_by("-id")
    orders = (Order.objects.filter(status=Order.Status.NEEDS_REVIEW)
              .select_related("packing_list__session__client")
              .annotate(flag_id=Subquery(flags.values("id")[:1])))
    if packing_list is not None:
        orders = orders.filter(packing_list=packing_list)
    orders = list(orders.order_by("packing_list_id", "sequence", "id")[:limit])
    events = {e.pk: e for e in ScanEvent.objects.filter(pk__in=[o.flag_id for o in orders])
              .select_related("worker", "station")}
    rows = []
    for order in orders:
        flag = events.get(order.flag_id)
        rows.append({
            "order": order, "list": order.packing_list,
            "client": order.packing_list.session.client.code,
            "problem": order.get_problem_display(), "note": order.problem_note,
            "flagged_by": flag.worker.display_name if flag and flag.worker_id else None,
            "station": flag.station.name if flag and flag.station_id else None,
            "flagged_at": flag.created_at if flag else None,
        })
    rows.sort(key=lambda r: (r["flagged_at"] is None, r["flagged_at"]))
    return rows
