"""The boxes of an order: their numbers, contents (units per line), weight and state.

An order goes into one box unless the packer pressed "New box" (Order.box_count). What is in
each box is read from the scan log: every event that moved a line's units names the box
(ScanEvent.box; empty means box 1), so undo takes a unit out of the box it went into and replay
needs no box counters. One box costs no query: its contents are the lines' packed units.
"""

from collections import defaultdict

from django.db.models import Q, Sum

from sessions.models import OrderBox, ScanEvent
from sessions.outcomes import LINE_CHANGES


def line_events():
    """The log's events that move a line's units (scan, manual fill, undo, import)."""
    return ScanEvent.objects.filter(
        Q(outcome__in=LINE_CHANGES) | Q(action=ScanEvent.Action.IMPORT), item__isnull=False)


def units_by_box(order_ids, pending=()):
    """{order id: {box number: {item id: units}}} from the log, for orders of several boxes.

    `pending`: (order id, box, item id, units) of the event the current step is about to log
    (its answer is built before the event is written)."""
    rows = (line_events().filter(order_id__in=list(order_ids)).order_by()
            .values_list("order_id", "box", "item_id").annotate(units=Sum("quantity")))
    out = defaultdict(lambda: defaultdict(dict))
    for order_id, box, item_id, units in [*rows, *pending]:
        box = box or 1
        out[order_id][box][item_id] = out[order_id][box].get(item_id, 0) + units
    return out


def box_units(order, number):
    """Units in box `number` of the order (no query for an order still in one box)."""
    if order.box_count <= 1:
        return sum(i.packed for i in order.items.all())
    return sum(units_by_box([order.pk]).get(order.pk, {}).get(number, {}).values())


def order_boxes(order, pending=()):
    """{number: {"number", "units", "weight_kg", "closed", "lines": [(item, units)]}}, in box
    order. One box: the lines as packed, without a query."""
    items = list(order.items.all())
    if order.box_count <= 1:
        lines = [(i, i.packed) for i in items if i.packed]
        return {1: {"number": 1, "units": sum(u for _i, u in lines), "weight_kg": None,
                    "closed": False, "lines": lines}}
    by_box = units_by_box([order.pk], pending).get(order.pk, {})
    rows = {b.number: b for b in OrderBox.objects.filter(order_id=order.pk)}
    boxes = {}
    for number in range(1, order.box_count + 1):
        units = by_box.get(number, {})
        lines = [(i, units[i.pk]) for i in items if units.get(i.pk)]
        row = rows.get(number)
        boxes[number] = {
            "number": number, "units": sum(u for _i, u in lines),
            "weight_kg": row.weight_kg if row is not None else None,
            "closed": row is not None and row.closed_at is not None, "lines": lines,
        }
    return boxes


def boxes_payload(order, pending=()):
    """The boxes as JSON (the answer, the order payload, the API)."""
    return [
        {"number": b["number"], "units": b["units"],
         "weight_kg": str(b["weight_kg"]) if b["weight_kg"] is not None else None,
         "closed": b["closed"],
         "lines": [{"item": i.pk, "sku": i.sku, "units": u} for i, u in b["lines"]]}
        for b in order_boxes(order, pending).values()
    ]
