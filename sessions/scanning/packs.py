"""What an undo takes back: the last packing of a line, read from the line's scan log.

A line fills by single units (a scan, a manual confirm, "Confirm all", an import) and by packs
(a packaging barcode scanned: N units in one event). Undo is a correction of the last thing put
in the parcel, so it takes back one unit, or the whole pack when the last packing still on the
line was a pack. The log is the truth: the line's events, in log order, are stacked (packs as one
entry, units one by one) and every undo takes its units off the top, so a second undo after a
pack's undo reaches the packing before it.
"""

from dataclasses import dataclass

from django.db.models import Q

from sessions.models import ScanEvent
from sessions.outcomes import PACKING, Outcome

# Events that change a line's packed units (undo: negative quantity).
LINE_OUTCOMES = (*PACKING, Outcome.CONFIRMED, Outcome.FORCE_CONFIRMED, Outcome.UNDONE)


@dataclass
class Packing:
    """Units still on the line from one pack, or from consecutive single units."""

    units: int
    pack: bool


def line_packings(line_id):
    """The line's packings still in the parcel, oldest first."""
    events = (ScanEvent.objects.filter(item_id=line_id)
              .filter(Q(outcome__in=LINE_OUTCOMES) | Q(action=ScanEvent.Action.IMPORT))
              .order_by("pk").values_list("action", "outcome", "quantity"))
    stack = []
    for action, outcome, quantity in events:
        if action == ScanEvent.Action.SCAN and outcome not in PACKING:
            continue
        if quantity > 0:
            _put(stack, quantity, pack=action == ScanEvent.Action.SCAN and quantity > 1)
        elif quantity < 0:
            _take(stack, -quantity)
    return stack


def _put(stack, units, *, pack):
    if not pack and stack and not stack[-1].pack:
        stack[-1].units += units
    else:
        stack.append(Packing(units, pack))


def _take(stack, units):
    while units > 0 and stack:
        top = stack[-1]
        taken = min(units, top.units)
        top.units -= taken
        units -= taken
        if top.units == 0:
            stack.pop()


def units_to_undo(line):
    """Units one undo takes back from `line`: its last pack whole, else one unit."""
    if line.packed <= 1:
        return line.packed
    stack = line_packings(line.pk)
    if stack and stack[-1].pack:
        return min(stack[-1].units, line.packed)
    return 1
