"""Manual actions at a station, each a handler run by engine.run_step (one locked, logged,
idempotent transaction): confirm, undo, force_confirm, skip, keep_extra, remove_extra, reopen,
map. Handlers raise typed errors before changing anything when the action makes no sense.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from profiles.models import SkuMapping
from profiles.normalize import normalize_barcode, normalize_sku
from profiles.roles import is_supervisor
from sessions.errors import Forbidden, InvalidAction, InvalidRequest, NotFound
from sessions.models import Order, OrderItem
from sessions.outcomes import Outcome
from sessions.scanning.frame import Result, first_row, line_key, require_order_in_list
from sessions.scanning.rules import (
    COMPLETE,
    check_all_done,
    find_extra,
    pack_units,
    settle,
    state_message,
)


def _open_order_line(step, item_id):
    """The line `item_id` of the open order, with a clear refusal when it is elsewhere."""
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        raise InvalidRequest(_("An order line (item) is required.")) from None
    order = step.open_order()
    line = next((i for i in order.items.all() if i.pk == item_id), None) if order else None
    if line is not None:
        return order, line
    other = first_row(
        OrderItem.objects.filter(pk=item_id, order__packing_list_id=step.list.pk)
        .select_related("order")
    )
    if other is None:
        raise NotFound(_("Line %(id)s is not in this packing list.") % {"id": item_id})
    if other.order.status == Order.Status.COMPLETED:
        raise InvalidAction(
            _("Order %(number)s is completed; only a supervisor can reopen it.")
            % {"number": other.order.number}
        )
    raise InvalidAction(
        _("Order %(number)s is not open: scan its label first.") % {"number": other.order.number}
    )


def _packed_result(outcome, order, line, units, state):
    return Result(outcome, state_message(order, state, line), order=order, item=line,
                  quantity=units, manual=True)


def confirm(step, *, item, **_params):
    """One unit by hand (the label would not scan), recorded as manual."""
    order, line = _open_order_line(step, item)
    if line.packed >= line.required:
        raise InvalidAction(_("%(sku)s is already complete.") % {"sku": line.sku})
    order.manual_confirmations += 1
    step.touch(order, "manual_confirmations")
    state = pack_units(step, order, line, 1)
    return _packed_result(Outcome.CONFIRMED, order, line, 1, state)


def force_confirm(step, *, item, **_params):
    """Fill the rest of a line in one manual event (quantity = the units it added)."""
    order, line = _open_order_line(step, item)
    remaining = line.required - line.packed
    if remaining <= 0:
        raise InvalidAction(_("%(sku)s is already complete.") % {"sku": line.sku})
    order.manual_confirmations += 1
    step.touch(order, "manual_confirmations")
    state = pack_units(step, order, line, remaining)
    return _packed_result(Outcome.FORCE_CONFIRMED, order, line, remaining, state)


def undo(step, *, item, **_params):
    """Take back one unit of a line (a correction). A completed order is never touched."""
    order, line = _open_order_line(step, item)
    if line.packed == 0:
        return Result(Outcome.ALREADY_ZERO,
                      _("%(sku)s has no packed unit to undo.") % {"sku": line.sku},
                      order=order, item=line)
    order.corrections += 1
    step.touch(order, "corrections")
    pack_units(step, order, line, -1)
    message = _("Undone: %(sku)s is now %(packed)d of %(required)d.") % {
        "sku": line.sku, "packed": line.packed, "required": line.required,
    }
    return Result(Outcome.UNDONE, message, order=order, item=line, quantity=-1, manual=True)


def skip(step, *, order=None, **_params):
    """Put an order aside with its counts; scanning its label again resumes it."""
    target = require_order_in_list(step, order) if order else step.open_order()
    if target is None:
        raise InvalidAction(_("No order is open to skip."))
    if target.status == Order.Status.COMPLETED:
        raise InvalidAction(_("Order %(number)s is already completed.") % {"number": target.number})
    if target.status == Order.Status.SKIPPED and step.list.open_order_id != target.pk:
        raise InvalidAction(_("Order %(number)s is already skipped.") % {"number": target.number})
    target.status = Order.Status.SKIPPED
    target.skipped_at = step.now
    step.touch(target, "status", "skipped_at")
    if step.list.open_order_id == target.pk:
        step.set_open_order(None)
    check_all_done(step)
    return Result(Outcome.SKIPPED, _("Order %(number)s skipped.") % {"number": target.number},
                  order=target)


def _extra_of(step, sku, item):
    """The open order, its pending extra of `sku` (or of line `item`'s SKU), and a line."""
    order = step.open_order()
    if order is None:
        raise InvalidAction(_("No order is open."))
    if sku:
        key = normalize_sku(sku)
    else:
        _order, line = _open_order_line(step, item)
        key = line_key(line)
    extra = find_extra(order, key)
    if extra is None or extra.pending == 0:
        raise InvalidAction(_("There is no unresolved extra of %(sku)s.") % {"sku": sku or key})
    line = next((i for i in order.items.all() if line_key(i) == key), None)
    return order, extra, line


def _extra_result(step, outcome, message, order, extra, line, units):
    state = settle(step, order)
    if state == COMPLETE:
        message = f"{message} {state_message(order, state)}"
    return Result(outcome, message, order=order, item=line, quantity=units,
                  extra={"extra": {"sku": extra.sku, "pending": extra.pending}})


def keep_extra(step, *, sku=None, item=None, **_params):
    """Accept every pending extra of that SKU (it goes in the parcel); may complete the order."""
    order, extra, line = _extra_of(step, sku, item)
    units = extra.pending
    extra.kept += units
    extra.pending = 0
    extra.save(update_fields=["kept", "pending"])
    message = _("Kept %(units)d extra %(sku)s.") % {"units": units, "sku": extra.sku}
    return _extra_result(step, Outcome.EXTRA_KEPT, message, order, extra, line, units)


def remove_extra(step, *, sku=None, item=None, **_params):
    """Take one extra unit back out of the parcel; may complete the order."""
    order, extra, line = _extra_of(step, sku, item)
    extra.pending -= 1
    extra.removed += 1
    extra.save(update_fields=["pending", "removed"])
    message = _("Removed one extra %(sku)s (%(pending)d left).") % {
        "sku": extra.sku, "pending": extra.pending,
    }
    return _extra_result(step, Outcome.EXTRA_REMOVED, message, order, extra, line, 1)


def reopen(step, *, order=None, by_user=None, **_params):
    """A supervisor reopens a completed order at the holding station (counts kept)."""
    if not is_supervisor(by_user):
        raise Forbidden(_("Only a supervisor may reopen a completed order."))
    target = require_order_in_list(step, order)
    if target.status != Order.Status.COMPLETED:
        raise InvalidAction(_("Order %(number)s is not completed.") % {"number": target.number})
    current = step.list.open_order_id
    if current and current != target.pk:
        raise InvalidAction(_("Finish or skip the open order first."))
    target.status = Order.Status.IN_PROGRESS
    target.completed_at = None
    target.completed_by = None
    target.completed_station = None
    step.touch(target, "status", "completed_at", "completed_by", "completed_station")
    step.set_open_order(target)
    return Result(Outcome.REOPENED, _("Order %(number)s reopened.") % {"number": target.number},
                  order=target)


def map_barcode(step, *, barcode=None, sku=None, by_user=None, **_params):
    """Map a barcode to a SKU for the list's client; the next scan anywhere uses it."""
    barcode, sku = str(barcode or "").strip(), str(sku or "").strip()
    normalized = normalize_barcode(barcode)
    if not normalized or not sku:
        raise InvalidRequest(_("A barcode (with a letter or digit) and a SKU are required."))
    client_id = step.list.session.client_id
    previous = _save_mapping(client_id, barcode, normalized, sku, by_user)
    message = _("Barcode %(barcode)s now packs %(sku)s.") % {"barcode": barcode, "sku": sku}
    return Result(Outcome.MAPPED, message, order=step.open_order(),
                  extra={"mapping": {"barcode": barcode, "sku": sku, "previous_sku": previous}})


def _save_mapping(client_id, barcode, normalized, sku, by_user):
    """Create or update the mapping row; returns the SKU it mapped to before (or None)."""
    user = by_user if getattr(by_user, "pk", None) else None
    for _attempt in range(2):
        mapping = first_row(SkuMapping.objects.filter(client_id=client_id,
                                                      normalized_barcode=normalized))
        previous = mapping.sku if mapping else None
        mapping = mapping or SkuMapping(client_id=client_id)
        mapping.barcode, mapping.sku = barcode, sku
        mapping._history_user = user
        try:
            with transaction.atomic():
                mapping.save()
            return previous
        except IntegrityError:  # created at the same moment by another station: update it
            continue
    raise InvalidAction(_("The mapping could not be saved; try again."))


HANDLERS = {
    "confirm": confirm,
    "undo": undo,
    "force_confirm": force_confirm,
    "skip": skip,
    "keep_extra": keep_extra,
    "remove_extra": remove_extra,
    "reopen": reopen,
    "map": map_barcode,
}


def handler_for(action):
    handler = HANDLERS.get(str(action or ""))
    if handler is None:
        raise InvalidRequest(
            _("Unknown action %(action)s; use one of: %(actions)s.")
            % {"action": action, "actions": ", ".join(HANDLERS)}
        )
    return handler
