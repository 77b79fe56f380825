"""What the order-prep side (the Shopify Tool) is told about packing: an order's outcome, a
list's and a session's progress. One shape each, shared by the read API
(GET /api/v1/orders/, GET /api/v1/sessions/{id}/progress/) and the webhook bodies
(sessions.outbox), so a polled answer and a pushed event never disagree.

Boxes: the boxes a completed order went out in (`Order.box_count`, the station's "new box"),
0 for an order not completed (`boxes_of`).

Progress keeps the fields of the old `packing_progress` block the Packer's Assistant wrote into
the Shopify Tool's session_info.json (legacy-formats.md §5.3): per list `started_at`, `status`
(`in_progress` | `completed`, plus `not_started` for a list nobody opened: the old block
had no key for it), `updated_at` and `completed_orders` (the numbers packed), and the same
for the whole session.
"""

from django.db.models import Max

from sessions.models import Order, PackingList, PackingSession, ScanEvent
from sessions.reads.payloads import iso

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"


def boxes_of(order):
    """Boxes an order went out in (the station's "new box" counts them): 0 until it is
    completed."""
    return order.box_count if order.status == Order.Status.COMPLETED else 0


def order_status(order, *, packing_list=None, packed_by=None, station=None):
    """An order's outcome for order prep. `packing_list` (with session and client loaded),
    `packed_by` and `station` may be handed in by a caller that has them (the scan path),
    so no query is made for them."""
    packing_list = packing_list or order.packing_list
    session = packing_list.session
    if packed_by is None and order.completed_by_id:
        packed_by = order.completed_by.display_name
    if station is None and order.completed_station_id:
        station = order.completed_station.name
    done = order.status == Order.Status.COMPLETED
    return {
        "id": order.pk,
        "number": order.number,
        "client": session.client.code,
        "session": {"id": session.pk, "external_id": session.external_id},
        "list": {"id": packing_list.pk, "name": packing_list.name},
        "status": order.status,
        "packed_by": packed_by if done else None,
        "station": station if done else None,
        "completed_at": iso(order.completed_at),
        "boxes": boxes_of(order),
        "problem": order.problem,
        "problem_note": order.problem_note,
    }


def find_orders(client, number):
    """The client's orders with this (normalised) number, newest list first (a re-shipped
    order appears once per list it was imported into)."""
    return (Order.objects.filter(packing_list__session__client=client,
                                 normalized_number=number)
            .select_related("packing_list__session__client", "completed_by",
                            "completed_station")
            .order_by("-packing_list__created_at", "-id"))


def list_event(packing_list):
    """The body of `list.ended`: the list and its counters when it ended."""
    session = packing_list.session
    return {
        "client": session.client.code,
        "session": {"id": session.pk, "external_id": session.external_id},
        "list": {"id": packing_list.pk, "name": packing_list.name,
                 "status": packing_list.status, "ended_at": iso(packing_list.ended_at),
                 "orders": packing_list.order_count,
                 "completed_orders": packing_list.completed_orders,
                 "skipped_orders": packing_list.skipped_orders,
                 "needs_review_orders": packing_list.needs_review_orders,
                 "packed_units": packing_list.packed_units,
                 "required_units": packing_list.required_units},
    }


def _list_status(packing_list):
    if packing_list.status == PackingList.Status.COMPLETED:
        return COMPLETED
    return IN_PROGRESS if packing_list.started_at else NOT_STARTED


def session_progress(session):
    """{"session": {...}, "packing_progress": {LIST: {...}}}: the old block, per list and for
    the session (three queries whatever the size: lists, last scan per list, packed numbers)."""
    lists = list(session.lists.order_by("position", "id"))
    last_scan = dict(ScanEvent.objects.filter(packing_list__session=session)
                     .values("packing_list").annotate(last=Max("created_at"))
                     .values_list("packing_list", "last"))
    packed = {pl.pk: [] for pl in lists}
    for list_id, number in (Order.objects.filter(packing_list__session=session,
                                                 status=Order.Status.COMPLETED)
                            .order_by("packing_list", "completed_at", "id")
                            .values_list("packing_list", "number")):
        packed[list_id].append(number)
    progress, updates = {}, []
    for pl in lists:
        updated = max((t for t in (last_scan.get(pl.pk), pl.ended_at) if t), default=None)
        updates += [updated] if updated else []
        progress[pl.name] = {
            "id": pl.pk, "started_at": iso(pl.started_at), "status": _list_status(pl),
            "updated_at": iso(updated), "completed_orders": packed[pl.pk],
            "orders": pl.order_count, "packed_units": pl.packed_units,
            "required_units": pl.required_units,
        }
    return {"session": _session_block(session, lists, progress, updates),
            "packing_progress": progress}


def _session_block(session, lists, progress, updated):
    started = [pl.started_at for pl in lists if pl.started_at]
    if session.status == PackingSession.Status.COMPLETED:
        status = COMPLETED
    else:
        status = IN_PROGRESS if started else NOT_STARTED
    return {
        "id": session.pk, "external_id": session.external_id, "client": session.client.code,
        "started_at": iso(min(started)) if started else None, "status": status,
        "updated_at": iso(max(updated)) if updated else None,
        "completed_at": iso(session.completed_at),
        "completed_orders": [n for v in progress.values() for n in v["completed_orders"]],
        "orders": sum(pl.order_count for pl in lists),
        "packed_units": sum(pl.packed_units for pl in lists),
        "required_units": sum(pl.required_units for pl in lists),
    }


def session_event(session):
    """The body of `session.completed`: the session's progress when its last list ended."""
    return session_progress(session)
