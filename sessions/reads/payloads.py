"""JSON shapes of orders and packing lists, shared by scan answers, the API, pages and events.

One implementation of the list counters (`list_counters`) serves every screen, so the station,
the floor view, the API and the reports never disagree about "how far along is this list".
All values are JSON-ready (datetimes as ISO text) because answers are stored in the scan log.
"""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from profiles.normalize import normalize_sku
from sessions.models import Order, OrderItem


def iso(value):
    """THE timestamp policy of every payload, answer, socket message and summary: ISO 8601 in
    the warehouse's local time (settings.TIME_ZONE) with its UTC offset, e.g.
    `2026-11-30T14:32:05.120000+02:00`: unambiguous for programs, readable for people, and the
    same local clock the old app's files used. None stays None."""
    return timezone.localtime(value).isoformat() if value else None


def item_payload(item, extras_kept=0):
    return {
        "id": item.pk,
        "line_number": item.line_number,
        "sku": item.sku,
        "product_name": item.product_name,
        "required": item.required,
        "packed": item.packed,
        "complete": item.packed >= item.required,
        "extras_kept": extras_kept,
        "extra_columns": item.extra_columns,
    }


def kept_by_line(items, extras):
    """{line id: extra units kept in the parcel} — on the first line of the extra's SKU."""
    kept = {}
    for extra in extras:
        if not extra.kept:
            continue
        line = next((i for i in items
                     if (i.normalized_sku or normalize_sku(i.sku)) == extra.normalized_sku), None)
        if line is not None:
            kept[line.pk] = kept.get(line.pk, 0) + extra.kept
    return kept


def extra_payload(extra):
    return {"sku": extra.sku, "pending": extra.pending, "kept": extra.kept,
            "removed": extra.removed}


def order_payload(order):
    """An order with its lines and over-scans (uses prefetched items/extras when present)."""
    items = sorted(order.items.all(), key=lambda i: (i.line_number, i.pk))
    extras = sorted(order.extras.all(), key=lambda e: e.pk)
    kept = kept_by_line(items, extras)
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "sequence": order.sequence,
        "courier": order.courier,
        "country": order.country,
        "order_type": order.order_type,
        "tags": order.tags,
        "internal_tags": order.internal_tags,
        "notes": order.notes,
        "system_note": order.system_note,
        "box": order.box,
        "metadata": order.metadata,
        "started_at": iso(order.started_at),
        "first_item_at": iso(order.first_item_at),
        "completed_at": iso(order.completed_at),
        "skipped_at": iso(order.skipped_at),
        "corrections": order.corrections,
        "extra_scans": order.extra_scans,
        "unknown_scans": order.unknown_scans,
        "manual_confirmations": order.manual_confirmations,
        "problem": order.problem,
        "problem_note": order.problem_note,
        "reship_of": order.reship_of_id,
        "items": [item_payload(i, kept.get(i.pk, 0)) for i in items],
        "extras": [extra_payload(e) for e in extras],
        "pending_extras": sum(e.pending for e in extras),
        "extras_kept": sum(e.kept for e in extras),
        "required_units": sum(i.required for i in items),
        "packed_units": sum(i.packed for i in items),
    }


EMPTY_COUNTERS = {
    "orders": 0, "required_units": 0, "packed_units": 0, "completed_orders": 0,
    "skipped_orders": 0, "in_progress_orders": 0, "new_orders": 0, "needs_review_orders": 0,
}


STATUS_COUNTERS = {
    Order.Status.COMPLETED: "completed_orders", Order.Status.SKIPPED: "skipped_orders",
    Order.Status.IN_PROGRESS: "in_progress_orders", Order.Status.NEW: "new_orders",
    Order.Status.NEEDS_REVIEW: "needs_review_orders",
}


def _counters_sql(count):
    """Orders per (list, status), then units per list, as one statement of two aggregates.

    Plain SQL because this runs in every scan answer: the ORM spent about 1 ms of CPU
    building the equivalent query (more than the database spends on it), and the
    COUNT(DISTINCT) its join needed made PostgreSQL sort every order of the list.
    """
    q = connection.ops.quote_name
    order, item = q(Order._meta.db_table), q(OrderItem._meta.db_table)
    list_col = q(Order._meta.get_field("packing_list").column)
    item_order = q(OrderItem._meta.get_field("order").column)
    ids = ", ".join(["%s"] * count)
    return (
        f"SELECT o.{list_col}, o.{q('status')}, COUNT(*), NULL, NULL FROM {order} o "
        f"WHERE o.{list_col} IN ({ids}) GROUP BY o.{list_col}, o.{q('status')} "
        f"UNION ALL "
        f"SELECT o.{list_col}, NULL, NULL, SUM(i.{q('required')}), SUM(i.{q('packed')}) "
        f"FROM {item} i JOIN {order} o ON o.{q('id')} = i.{item_order} "
        f"WHERE o.{list_col} IN ({ids}) GROUP BY o.{list_col}"
    )


def list_counters(packing_list_ids):
    """{list id: counters} for many lists in ONE query (no per-list loop)."""
    ids = list(packing_list_ids)
    result = {pk: dict(EMPTY_COUNTERS) for pk in ids}
    if not ids:
        return result
    with connection.cursor() as cursor:
        cursor.execute(_counters_sql(len(ids)), ids + ids)
        rows = cursor.fetchall()
    for list_id, status, orders, units, packed_units in rows:
        counters = result[list_id]
        if status is None:
            counters["required_units"] = int(units or 0)
            counters["packed_units"] = int(packed_units or 0)
            continue
        counters["orders"] += orders
        if status in STATUS_COUNTERS:
            counters[STATUS_COUNTERS[status]] = orders
    return result


def stale_after():
    """Seconds without a heartbeat after which a claim is stale (a setting, read each time)."""
    return settings.PACKER_STALE_AFTER_SECONDS


def claim_state(packing_list, now=None):
    """The claim as screens and refusals describe it; None when the list is free.

    Stale ⇔ more than PACKER_STALE_AFTER_SECONDS since the last heartbeat (118 s is still
    active, 122 s is stale with the default 120).
    """
    if packing_list.claim_token is None:
        return None
    now = now or timezone.now()
    age = (now - packing_list.heartbeat_at).total_seconds()
    stale = age > stale_after()
    holder, station = packing_list.holder, packing_list.station
    return {
        "holder": holder.display_name if holder else None,
        "holder_id": packing_list.holder_id,
        "station": station.name if station else None,
        "station_id": packing_list.station_id,
        "since": iso(packing_list.claimed_at),
        "heartbeat_at": iso(packing_list.heartbeat_at),
        "heartbeat_age_seconds": max(0, int(age)),
        "stale": stale,
        "active": not stale,
    }


def list_payload(packing_list, counters=None, now=None):
    """A list with its counters and claim; pass `counters` when already computed in bulk."""
    if counters is None:
        counters = list_counters([packing_list.pk])[packing_list.pk]
    session = packing_list.session
    return {
        "id": packing_list.pk,
        "name": packing_list.name,
        "session": packing_list.session_id,
        "session_external_id": session.external_id,
        "client": session.client.code,
        "status": packing_list.status,
        **counters,
        "units": counters["required_units"],  # the API's first name for required_units
        "open_order": packing_list.open_order_id,
        "all_done": packing_list.all_done_announced,
        "started_at": iso(packing_list.started_at),
        "ended_at": iso(packing_list.ended_at),
        "claim": claim_state(packing_list, now),
    }
