"""What an undo takes back: the last packing of a line, read from the line's scan log.

A line fills by single units (a scan, a manual confirm, "Confirm all", an import) and by packs
(a packaging barcode scanned: N units in one event). Undo is a correction of the last thing put
in the parcel, so it takes back one unit, or the whole pack when the last packing still on the
line was a pack — out of the box it went into (an order may be packed into several boxes). The
log is the truth: the line's events, in log order, are stacked (packs as one entry, units one
by one, each with its box) and every undo takes its units off the top, so a second undo after a
pack's undo reaches the packing before it.
"""

from dataclasses import dataclass

from sessions.models import ScanEvent
from sessions.reads.boxes import line_events


@dataclass
class Packing:
    """Units still on the line from one pack, or from consecutive single units, in one box."""

    units: int
    pack: bool
    box: int


def line_packings(line_id):
    """The line's packings still in the parcel, oldest first."""
    events = (line_events().filter(item_id=line_id).order_by("pk")
              .values_list("action", "quantity", "box"))
    stack = []
    for action, quantity, box in events:
        if quantity > 0:
            _put(stack, quantity, pack=action == ScanEvent.Action.SCAN and quantity > 1,
                 box=box or 1)
        elif quantity < 0:
            _take(stack, -quantity)
    return stack


def _put(stack, units, *, pack, box):
    if not pack and stack and not stack[-1].pack and stack[-1].box == box:
        stack[-1].units += units
    else:
        stack.append(Packing(units, pack, box))


def _take(stack, units):
    while units > 0 and stack:
        top = stack[-1]
        taken = min(units, top.units)
        top.units -= taken
        units -= taken
        if top.units == 0:
            stack.pop()


def units_to_undo(order, line):
    """(units, box) one undo takes back from `line`: its last pack whole, else one unit; box
    None for an order in one box (no query then unless the line holds more than one unit)."""
    if line.packed <= 1 and order.box_count <= 1:
        return line.packed, None
    stack = line_packings(line.pk)
    if not stack:
        return min(1, line.packed), None
    top = stack[-1]
    units = min(top.units, line.packed) if top.pack else 1
    return units, (top.box if order.box_count > 1 else None)
