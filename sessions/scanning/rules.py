"""Counter rules shared by scans and manual actions: packing units, over-scans, completion,
"all done". Scans and actions differ in how they pick the line; what happens next is the same,
which is why it lives here once (and why replay.py can mirror it).
"""

from django.utils.translation import gettext as _

from sessions.counters import all_done
from sessions.models import Order, OrderExtra
from sessions.outcomes import Outcome
from sessions.scanning.frame import line_key
from sessions.scanning.sql import save_fields

OPEN = "open"
COMPLETE = "complete"
COMPLETE_WITH_EXTRAS = "complete_with_extras"


def pack_units(step, order, line, units):
    """Add (or with a negative number take back) units of one line; returns the order state.
    The line is written, and the list's packed units moved, by the frame (Step.flush)."""
    line.packed += units
    if units > 0 and order.first_item_at is None:
        order.first_item_at = step.now
        step.touch(order, "first_item_at")
    return settle(step, order)


def find_extra(order, key):
    return next((e for e in order.extras.all() if e.normalized_sku == key), None)


def add_extra(step, order, line):
    """One unit over what the order needs: pending until kept or removed (never accepted)."""
    key = line_key(line)
    extra = find_extra(order, key)
    if extra is None:
        extra, _created = OrderExtra.objects.get_or_create(
            order=order, normalized_sku=key, defaults={"sku": line.sku}
        )
        # Forget the prefetched extras so the answer's payload re-reads them with the new row.
        getattr(order, "_prefetched_objects_cache", {}).pop("extras", None)
    extra.pending += 1
    save_fields(extra, ["pending"])
    order.extra_scans += 1
    step.touch(order, "extra_scans")
    return extra


def lines_full(order):
    items = list(order.items.all())
    return bool(items) and all(i.packed >= i.required for i in items)


def settle(step, order):
    """Complete the order when every line is full and no extra is unresolved."""
    if not lines_full(order):
        return OPEN
    if any(e.pending for e in order.extras.all()):
        return COMPLETE_WITH_EXTRAS
    complete_order(step, order)
    return COMPLETE


def complete_order(step, order):
    """The order leaves the open state at once, with who/where/when it was completed."""
    order.status = Order.Status.COMPLETED
    order.completed_at = step.now
    order.completed_by = step.worker
    order.completed_station = step.station
    step.touch(order, "status", "completed_at", "completed_by", "completed_station")
    if step.list.open_order_id == order.pk:
        step.set_open_order(None)
    step.order_completed = True
    check_all_done(step)


def complete_as_is(step, order):
    """A supervisor completes a flagged order without its missing units: packed by the packer
    who flagged it (the report's "Packed By"), at the supervisor's word."""
    flagged_by = (order.scan_events.filter(outcome=Outcome.ORDER_FLAGGED)
                  .order_by("-id").values_list("worker_id", flat=True).first())
    order.status = Order.Status.COMPLETED
    order.completed_at = step.now
    order.completed_by_id = flagged_by or (step.worker.pk if step.worker else None)
    order.completed_station = None
    step.touch(order, "status", "completed_at", "completed_by", "completed_station")
    step.order_completed = True
    check_all_done(step)


def check_all_done(step):
    """Announce "all done" exactly once per list: every order completed or skipped (read from
    the list's counters: no query over its orders)."""
    if step.list.all_done_announced:
        return
    step.flush()  # the counters must include this step's status changes
    if all_done(step.list):
        step.list.all_done_announced = True
        step.list_fields.add("all_done_announced")
        step.all_done = True


def state_message(order, state, line=None):
    """The packer-facing sentence for the order's state after a unit was packed."""
    if state == COMPLETE:
        return _("Order %(number)s complete.") % {"number": order.number}
    if state == COMPLETE_WITH_EXTRAS:
        return _(
            "All items of order %(number)s are packed, but extra items are unresolved: "
            "keep or remove them."
        ) % {"number": order.number}
    return _("%(sku)s: %(packed)d of %(required)d packed.") % {
        "sku": line.sku, "packed": line.packed, "required": line.required,
    }
