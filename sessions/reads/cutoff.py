"""Courier cut-off pace: will today's pick-ups be met?

For each courier with a pick-up time (profiles.CourierDeadline), across the client's lists that
are not ended: the orders and units left (every order not completed: new, open, skipped or
flagged), the floor's current pace (orders completed on the whole floor per hour over the last
15 minutes) and the projected finish (now + orders left / pace), against the pick-up time today:

- `on_track`: the projected finish comes more than PACKER_CUTOFF_AT_RISK_MINUTES before it;
- `at_risk`: it comes within that margin, or nothing was packed lately (no pace to project);
- `late`: it comes after the pick-up, or the pick-up has passed with orders left;
- `done`: nothing left.

Three queries whatever the number of clients and couriers. Shown by the floor view and the wall
display (/floor/wall/); the status is decided here, its words and tone are `status_labels`
(the floor's page config; the wall renders them in its own request).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.models import CourierDeadline
from sessions.models import Order, OrderItem, PackingList
from sessions.reads.floor_stations import PACE_WINDOW, per_hour
from sessions.reads.payloads import iso

ON_TRACK, AT_RISK, LATE, DONE = "on_track", "at_risk", "late", "done"


def status_labels():
    return {
        ON_TRACK: {"label": _("on track"), "tone": "ok"},
        AT_RISK: {"label": _("at risk"), "tone": "warn"},
        LATE: {"label": _("late"), "tone": "bad"},
        DONE: {"label": _("done"), "tone": "done"},
    }


def floor_pace(now):
    """Orders completed on the whole floor per hour, over the last 15 minutes."""
    done = Order.objects.filter(status=Order.Status.COMPLETED,
                                completed_at__gte=now - PACE_WINDOW).count()
    return per_hour(done)


def courier_pace(now=None):
    """[{client, name, couriers: [...]}] for every client with a pick-up time."""
    now = now or timezone.now()
    deadlines = list(CourierDeadline.objects.select_related("client")
                     .order_by("client__code", "deadline", "courier"))
    if not deadlines:
        return []
    left = _left(client_ids={d.client_id for d in deadlines})
    pace = floor_pace(now)
    clients = {}
    for deadline in deadlines:
        orders, units = left.get((deadline.client_id, deadline.courier.lower()), (0, 0))
        entry = courier_row(deadline, orders, units, pace, now)
        clients.setdefault(deadline.client_id, {
            "client": deadline.client.code, "name": deadline.client.name, "couriers": [],
        })["couriers"].append(entry)
    return list(clients.values())


def _left(client_ids):
    """{(client id, courier lower-cased): (orders, units)} not completed in lists not ended."""
    open_orders = Order.objects.filter(
        packing_list__session__client_id__in=client_ids,
    ).exclude(packing_list__status=PackingList.Status.COMPLETED) \
        .exclude(status=Order.Status.COMPLETED)
    orders = {
        (row["packing_list__session__client_id"], row["c"]): row["n"]
        for row in open_orders.annotate(c=Lower("courier")).order_by()
        .values("packing_list__session__client_id", "c").annotate(n=Count("id"))
    }
    units = {
        (row["order__packing_list__session__client_id"], row["c"]):
            (row["required"] or 0) - (row["packed"] or 0)
        for row in _items(open_orders)
    }
    return {key: (n, units.get(key, 0)) for key, n in orders.items()}


def _items(open_orders):
    return (OrderItem.objects.filter(order__in=open_orders.values("id"))
            .annotate(c=Lower("order__courier")).order_by()
            .values("order__packing_list__session__client_id", "c")
            .annotate(required=Sum("required"), packed=Sum("packed")))


def courier_row(deadline, orders, units, pace, now):
    """One courier's figures and verdict (see the module's docstring)."""
    local = timezone.localtime(now)
    pickup = datetime.combine(local.date(), deadline.deadline, tzinfo=local.tzinfo)
    margin = timedelta(minutes=settings.PACKER_CUTOFF_AT_RISK_MINUTES)
    projected = now + timedelta(hours=orders / pace) if orders and pace else None
    if not orders:
        status = DONE
    elif now > pickup or (projected is not None and projected > pickup):
        status = LATE
    elif projected is None or projected > pickup - margin:
        status = AT_RISK
    else:
        status = ON_TRACK
    return {
        "courier": deadline.courier, "pickup": iso(pickup),
        "pickup_label": pickup.strftime("%H:%M"), "orders_left": orders, "units_left": units,
        "pace": pace, "projected": iso(projected),
        "projected_label": timezone.localtime(projected).strftime("%H:%M") if projected else "—",
        "status": status,
    }


def with_words(clients):
    """The clients' courier rows with their status's words and tone (a page in one language)."""
    labels = status_labels()
    for client in clients:
        for row in client["couriers"]:
            row.update(labels[row["status"]])
    return clients
