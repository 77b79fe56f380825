"""JSON shapes of orders and packing lists, shared by scan answers, the API, pages and events.

One reading of the list counters (`list_counters`, from the list's row: sessions.counters)
serves every screen, so the station, the floor view, the API and the reports never disagree
about "how far along is this list".
All values are JSON-ready (datetimes as ISO text) because answers are stored in the scan log.
"""

from django.conf import settings
from django.utils import timezone

from profiles.normalize import normalize_sku
from sessions.counters import STATUS_FIELDS, UNITS
from sessions.durations import order_type_label
from sessions.reads.boxes import boxes_payload


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


def order_payload(order, pending=()):
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
        "order_type_label": order_type_label(order.order_type),
        "tags": order.tags,
        "internal_tags": order.internal_tags,
        "notes": order.notes,
        "system_note": order.system_note,
        "box": order.box,
        "box_count": order.box_count,
        "boxes": boxes_payload(order, pending),  # pending: the step's own units (frame)
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


COUNTER_NAMES = (*STATUS_FIELDS.values(), *UNITS)


def list_counters(packing_list):
    """The list's counters as every screen shows them, read from its own row (they are kept
    there by sessions.counters, in the transaction of each change: no aggregate, no query)."""
    counters = {"orders": packing_list.order_count}
    counters.update({name: getattr(packing_list, name) for name in COUNTER_NAMES})
    return counters


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


def list_payload(packing_list, now=None):
    """A list with its counters and claim (session and client should be loaded with it)."""
    counters = list_counters(packing_list)
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
