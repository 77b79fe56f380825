"""Timing and quality metrics, read from the scan log and the orders (one implementation).

Every screen, export, API answer and report that shows a rate, a duration or an accuracy calls
these functions, so the station, the dashboard and the completion summary always agree.

Definitions (they are the contract of every figure below):

- **Order duration** = ``completed_at − started_at`` of a completed order; ``started_at`` is the
  first scan of its label (kept across skips, resumes and re-openings), so an order resumed after
  a skip counts the pause too.
- **First-scan latency** = ``first_item_at − started_at``: label scanned → first item scanned.
- **Orders packed** = completed orders; **items packed** = packed units of completed orders
  (units on orders still open or skipped are work in progress, not output).
- **Active time** = the sum of the durations of the completed orders in scope. Time between
  orders (fetching boxes, breaks, idle stations) and time spent on orders that are not finished
  is *not* active. So ``orders_per_hour_active`` is the pace while actually packing and equals
  ``3600 / avg_order_seconds`` (scenario 34: 4 orders of 900 s → 4 orders/hour). Only orders
  with both times count towards the active rates: a completed order without a start (e.g.
  imported from the old app without timing) must not raise the pace with zero time.
- **Wall time** = for each packing list, worker and local day, the span from that worker's first
  to last scan event (any action) on that list that day, summed. It includes pauses inside a
  shift but never the night between two days or the time before a list was touched.
- **Accuracy** = ``1 − wrong scans / scans``, where *scans* are raw scan events
  (``action == "scan"``: order labels and items alike, manual actions excluded) and *wrong scans*
  are the scans answered ``unknown_item``, ``extra_item`` or ``other_order_label``. ``None``
  when there were no scans.
- **Scope and attribution.** Filters by client, session and list keep all orders of those lists.
  A *worker*, *day* or *hour* (filter or grouping; *hour* = the local hour of the day, 0–23)
  attributes an order to the worker who completed it and to the local day / hour
  (settings.TIME_ZONE) it was completed, so only completed orders count there; scan events
  are attributed to the worker who scanned and the moment of the scan.
- Rates and averages are ``None`` when their denominator is zero (unknown, never a fake 0).

Query cost is fixed, whatever the size of the scope: one aggregate over orders, one over order
lines, one grouped aggregate over scan events (see tests/test_metrics.py for the asserted count).
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    Sum,
)
from django.db.models.functions import ExtractHour, TruncDate

from sessions.models import Order, OrderItem, ScanEvent
from sessions.outcomes import WRONG
from sessions.reads.payloads import iso

GROUPS = ("client", "worker", "day", "hour", "session", "list")
TIMED_GROUPS = ("day", "hour")  # local day / local hour of the day (0–23) of the work

# Where each grouping key lives, seen from an Order, an OrderItem and a ScanEvent.
_ORDER_KEYS = {
    "client": "packing_list__session__client",
    "session": "packing_list__session",
    "list": "packing_list",
    "worker": "completed_by",
}
_EVENT_KEYS = {
    "client": "packing_list__session__client",
    "session": "packing_list__session",
    "list": "packing_list",
    "worker": "worker",
}


def local_tz():
    """The warehouse's time zone: days and report times are local, never UTC."""
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(date_from=None, date_to=None):
    """Aware datetimes [start, end) covering local days date_from..date_to inclusive."""
    tz = local_tz()
    start = datetime.combine(date_from, time.min, tzinfo=tz) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz) if date_to else None
    return start, end


def _pk(value):
    return getattr(value, "pk", value)


def _duration(end, start):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _seconds(value):
    """A timedelta (or None) as float seconds, rounded to 0.1 s."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds(), 1)
    return round(float(value) / 1_000_000, 1)  # raw microseconds on some backends


def _rate(count, seconds):
    """Per hour, one decimal; None when there is no time to divide by."""
    if not seconds:
        return None
    return round(count / (seconds / 3600), 1)


def _accuracy(scans, wrong):
    if not scans:
        return None
    return round(1 - wrong / scans, 4)


# ---------------------------------------------------------------- scopes

def _in_lists(qs, client, session, packing_list):
    """Rows (orders or events) of the lists a client / session / list filter names."""
    if client is not None:
        qs = qs.filter(packing_list__session__client=_pk(client))
    if session is not None:
        qs = qs.filter(packing_list__session=_pk(session))
    if packing_list is not None:
        qs = qs.filter(packing_list=_pk(packing_list))
    return qs


def _within_days(qs, field, date_from, date_to):
    """Rows whose `field` falls on the local days date_from..date_to (either may be open)."""
    start, end = day_bounds(date_from, date_to)
    if start:
        qs = qs.filter(**{f"{field}__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


def _needs_completed(worker, date_from, date_to, group_by):
    return worker is not None or date_from or date_to or group_by in ("worker", *TIMED_GROUPS)


def scope_orders(*, client=None, session=None, packing_list=None, worker=None,
                 date_from=None, date_to=None, group_by=None):
    """Orders in scope (see the module docstring for how worker and day attribute orders)."""
    qs = _in_lists(Order.objects.all(), client, session, packing_list)
    if _needs_completed(worker, date_from, date_to, group_by):
        qs = qs.filter(status=Order.Status.COMPLETED)
    if worker is not None:
        qs = qs.filter(completed_by=_pk(worker))
    return _within_days(qs, "completed_at", date_from, date_to)


def scope_events(*, client=None, session=None, packing_list=None, worker=None,
                 date_from=None, date_to=None):
    """Scan events in scope, attributed to who scanned and when."""
    qs = _in_lists(ScanEvent.objects.all(), client, session, packing_list)
    if worker is not None:
        qs = qs.filter(worker=_pk(worker))
    return _within_days(qs, "created_at", date_from, date_to)


# ---------------------------------------------------------------- aggregates

def _order_aggregates():
    done = Q(status=Order.Status.COMPLETED)
    timed = done & Q(started_at__isnull=False) & Q(completed_at__isnull=False)
    duration = _duration("completed_at", "started_at")
    latency = _duration("first_item_at", "started_at")
    return {
        "orders_packed": Count("id", filter=done),
        "timed_orders": Count("id", filter=timed),
        "active": Sum(duration, filter=timed),
        "avg_order": Avg(duration, filter=timed),
        "fastest": Min(duration, filter=timed),
        "slowest": Max(duration, filter=timed),
        "latency": Avg(latency, filter=Q(started_at__isnull=False, first_item_at__isnull=False)),
        "corrections": Sum("corrections"),
        "extra_scans": Sum("extra_scans"),
        "unknown_scans": Sum("unknown_scans"),
        "manual_confirmations": Sum("manual_confirmations"),
    }


def _grouped(qs, key_expr, aggregates):
    """{key: aggregate row}; key None when not grouped (one row for the whole scope)."""
    if key_expr is None:
        return {None: qs.aggregate(**aggregates)}
    rows = qs.order_by().values(group=key_expr).annotate(**aggregates)
    return {row.pop("group"): row for row in rows}


def _key(kind, group_by, tz):
    """The grouping expression for group_by, seen from 'order', 'item' or 'event'."""
    if group_by is None:
        return None
    if group_by in TIMED_GROUPS:
        field = {"order": "completed_at", "item": "order__completed_at", "event": "created_at"}
        if group_by == "hour":
            return ExtractHour(field[kind], tzinfo=tz)
        return TruncDate(field[kind], tzinfo=tz)
    if kind == "event":
        return F(_EVENT_KEYS[group_by])
    path = _ORDER_KEYS[group_by]
    return F(path if kind == "order" else f"order__{path}")


def _event_rows(events, group_by, tz):
    """Scans, wrong scans and wall seconds per group, from one grouped query.

    The query groups by (group, list, worker, local day) so that the wall-time spans come out of
    the same rows as the scan counts.
    """
    fields = {"span_list": F("packing_list"), "span_worker": F("worker"),
              "span_day": TruncDate("created_at", tzinfo=tz)}
    key = _key("event", group_by, tz)
    if key is not None:
        fields["group"] = key
    rows = events.order_by().values(**fields).annotate(
        first=Min("created_at"), last=Max("created_at"),
        scans=Count("id", filter=Q(action=ScanEvent.Action.SCAN)),
        wrong=Count("id", filter=Q(action=ScanEvent.Action.SCAN, outcome__in=WRONG)),
    )
    out = {}
    for row in rows:
        acc = out.setdefault(row.get("group"), {"scans": 0, "wrong": 0, "wall": 0.0})
        acc["scans"] += row["scans"]
        acc["wrong"] += row["wrong"]
        acc["wall"] += (row["last"] - row["first"]).total_seconds()
    return out


def _figures(orders_row, items_row, events_row):
    """The public metrics dict from the raw aggregate rows of one group."""
    orders_row = orders_row or {}
    items_row = items_row or {}
    events_row = events_row or {"scans": 0, "wrong": 0, "wall": 0.0}
    packed = orders_row.get("orders_packed") or 0
    items = items_row.get("units") or 0
    active = _seconds(orders_row.get("active")) or 0.0
    wall = round(events_row["wall"], 1)
    return {
        "orders_packed": packed,
        "items_packed": items,
        "active_seconds": active,
        "wall_seconds": wall,
        "orders_per_hour_active": _rate(orders_row.get("timed_orders") or 0, active),
        "items_per_hour_active": _rate(items_row.get("timed_units") or 0, active),
        "orders_per_hour_wall": _rate(packed, wall),
        "items_per_hour_wall": _rate(items, wall),
        "avg_order_seconds": _seconds(orders_row.get("avg_order")),
        "fastest_order_seconds": _seconds(orders_row.get("fastest")),
        "slowest_order_seconds": _seconds(orders_row.get("slowest")),
        "avg_first_scan_seconds": _seconds(orders_row.get("latency")),
        "scans": events_row["scans"],
        "wrong_scans": events_row["wrong"],
        "accuracy": _accuracy(events_row["scans"], events_row["wrong"]),
        "corrections": orders_row.get("corrections") or 0,
        "extra_scans": orders_row.get("extra_scans") or 0,
        "unknown_scans": orders_row.get("unknown_scans") or 0,
        "manual_confirmations": orders_row.get("manual_confirmations") or 0,
    }


def empty_metrics():
    """The figures of a scope with no work (e.g. a day without packing, for charts)."""
    return _figures(None, None, None)


def grouped_metrics(group_by, *, client=None, session=None, packing_list=None, worker=None,
                    date_from=None, date_to=None):
    """Metrics per client / worker / day / session / list: {key: figures}, in three queries.

    Keys are primary keys (client, worker, session, list) or local dates (day); a worker key may
    be None for scans by a since-deleted worker.
    """
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS}")
    tz = local_tz()
    filters = {"client": client, "session": session, "packing_list": packing_list,
               "worker": worker, "date_from": date_from, "date_to": date_to}
    orders = scope_orders(**filters, group_by=group_by)
    order_rows = _grouped(orders, _key("order", group_by, tz), _order_aggregates())
    items = OrderItem.objects.filter(order__in=orders.filter(status=Order.Status.COMPLETED))
    timed = Q(order__started_at__isnull=False, order__completed_at__isnull=False)
    item_rows = _grouped(items, _key("item", group_by, tz),
                         {"units": Sum("packed"), "timed_units": Sum("packed", filter=timed)})
    event_rows = _event_rows(scope_events(**filters), group_by, tz)
    keys = set(order_rows) | set(event_rows)
    if group_by is None:
        keys = {None}
    return {
        key: _figures(order_rows.get(key), item_rows.get(key), event_rows.get(key))
        for key in keys
    }


def metrics(**filters):
    """Figures for one scope (filters: client, session, packing_list, worker, date_from,
    date_to — instances or primary keys; dates are local and inclusive)."""
    return grouped_metrics(None, **filters)[None]


def list_metrics(packing_list):
    """Figures of one packing list (partial while it is still being packed)."""
    return metrics(packing_list=packing_list)


def order_metrics(order):
    """One order's timing and quality: its own counters plus its scan counts (one query)."""
    counts = ScanEvent.objects.filter(order=order, action=ScanEvent.Action.SCAN).aggregate(
        scans=Count("id"), wrong=Count("id", filter=Q(outcome__in=WRONG)),
    )
    duration = None
    if order.status == Order.Status.COMPLETED and order.started_at and order.completed_at:
        duration = _seconds(order.completed_at - order.started_at)
    latency = None
    if order.started_at and order.first_item_at:
        latency = _seconds(order.first_item_at - order.started_at)
    return {
        "order": order.pk,
        "number": order.number,
        "status": order.status,
        "started_at": iso(order.started_at),
        "first_item_at": iso(order.first_item_at),
        "completed_at": iso(order.completed_at),
        "duration_seconds": duration,
        "first_scan_seconds": latency,
        "corrections": order.corrections,
        "extra_scans": order.extra_scans,
        "unknown_scans": order.unknown_scans,
        "manual_confirmations": order.manual_confirmations,
        "scans": counts["scans"],
        "wrong_scans": counts["wrong"],
        "accuracy": _accuracy(counts["scans"], counts["wrong"]),
    }

