"""Manual actions at a station, each a handler run by engine.run_step (one locked, logged,
idempotent transaction): confirm, undo, force_confirm, skip, keep_extra, remove_extra, reopen,
map, flag, new_box. Handlers raise typed errors before changing anything when the action makes
no sense.

Authority (docs/engine.md, "Who may do what"): a manual fill names its reason; "Confirm all"
(where the client says so), changing a barcode's mapping, and mapping a new barcode where the
client does not let packers, go on only with a supervisor's approval (`step.approve`), which is
stored with the event. Reopening a completed order is a supervisor's.
"""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from profiles.models import SkuMapping
from profiles.normalize import normalize_barcode, normalize_sku
from profiles.roles import is_supervisor
from sessions.errors import Forbidden, InvalidAction, InvalidRequest, NotFound, ReasonRequired
from sessions.models import (
    FILL_REASONS,
    PROBLEM_REASONS,
    ApprovalAction,
    Order,
    OrderBox,
    OrderItem,
    Reason,
    ScanEvent,
)
from sessions.outcomes import PACKING, Outcome
from sessions.reads.boxes import box_units
from sessions.reads.references import product_name
from sessions.scanning.frame import Result, first_row, line_key, require_order_in_list
from sessions.scanning.packs import units_to_undo
from sessions.scanning.rules import (
    COMPLETE,
    check_all_done,
    complete_as_is,
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


NOTE_MAX = 500


def reasons_payload(reasons):
    """[{"code", "label"}] of the reasons a dialog offers (in the user's language)."""
    return [{"code": r.value, "label": str(r.label)} for r in reasons]


def chosen_reason(reason, note, allowed, message):
    """(reason, note) when `reason` is one of `allowed` ("other" needs words), else
    ReasonRequired listing the reasons to choose from."""
    reason = str(reason or "").strip()
    note = " ".join(str(note or "").split())[:NOTE_MAX]
    if reason not in {r.value for r in allowed}:
        raise ReasonRequired(message, reasons=reasons_payload(allowed))
    if reason == Reason.OTHER and not note:
        raise ReasonRequired(_("Say in a few words why (reason “other”)."),
                             reasons=reasons_payload(allowed))
    return reason, note


def _fill_reason(reason, note):
    return chosen_reason(reason, note, FILL_REASONS,
                         _("Why is this filled by hand? Choose a reason."))


def _packed_result(outcome, order, line, units, state, reason, note):
    return Result(outcome, state_message(order, state, line), order=order, item=line,
                  quantity=units, manual=True, reason=reason, note=note)


def confirm(step, *, item, reason=None, note=None, **_params):
    """One unit by hand (the label would not scan), recorded as manual with its reason."""
    reason, note = _fill_reason(reason, note)
    order, line = _open_order_line(step, item)
    if line.packed >= line.required:
        raise InvalidAction(_("%(sku)s is already complete.") % {"sku": line.sku})
    order.manual_confirmations += 1
    step.touch(order, "manual_confirmations")
    state = pack_units(step, order, line, 1)
    return _packed_result(Outcome.CONFIRMED, order, line, 1, state, reason, note)


def force_confirm(step, *, item, reason=None, note=None, **_params):
    """Fill the rest of a line in one manual event (quantity = the units it added), with its
    reason and, where the client says so, a supervisor's approval."""
    reason, note = _fill_reason(reason, note)
    order, line = _open_order_line(step, item)
    remaining = line.required - line.packed
    if remaining <= 0:
        raise InvalidAction(_("%(sku)s is already complete.") % {"sku": line.sku})
    if step.list.session.client.settings_or_default().force_confirm_needs_approval:
        step.approve(
            ApprovalAction.FORCE_CONFIRM,
            _("Confirming the last %(units)d of %(sku)s without scanning needs a supervisor's "
              "approval.") % {"units": remaining, "sku": line.sku},
            item=line.pk, sku=line.sku, product_name=line.product_name, units=remaining,
        )
    order.manual_confirmations += 1
    step.touch(order, "manual_confirmations")
    state = pack_units(step, order, line, remaining)
    return _packed_result(Outcome.FORCE_CONFIRMED, order, line, remaining, state, reason, note)


# Outcomes that put units in the parcel (scans and fills by hand): what "undo" walks back.
UNDOABLE = (*PACKING, Outcome.CONFIRMED, Outcome.FORCE_CONFIRMED)


def last_unit_line(step):
    """The line of the newest unit this station put into the open order and has not taken back
    yet (None when there is none): undo without a line goes back step by step through this
    station's own scans, from the log, so it survives a reload of the screen."""
    order = step.open_order()
    if order is None:
        return None
    events = (ScanEvent.objects.filter(order_id=order.pk, station_id=step.list.station_id,
                                       item__isnull=False)
              .filter(Q(outcome__in=UNDOABLE, quantity__gt=0) | Q(outcome=Outcome.UNDONE))
              .order_by("id").values_list("item_id", "outcome", "quantity"))
    units = []
    for item_id, outcome, quantity in events:
        if outcome != Outcome.UNDONE:
            units.extend([item_id] * quantity)
            continue
        for _unit in range(max(-quantity, 1)):  # an undone pack took back all its units
            if item_id not in units:
                break
            del units[len(units) - 1 - units[::-1].index(item_id)]
    packed = {line.pk: line.packed for line in order.items.all()}
    for item_id in reversed(units):
        if packed.get(item_id, 0) > 0:
            return item_id
    return None


def undo(step, *, item=None, **_params):
    """Take back the last packing of a line (a correction): one unit, or the whole pack when a
    packaging barcode put it there (sessions.scanning.packs). A completed order is never
    touched. Without a line: the line of the newest unit this station packed into the open
    order, so repeated undos go back step by step."""
    if item is None:
        if step.open_order() is None:
            raise InvalidAction(_("No order is open."))
        item = last_unit_line(step)
        if item is None:
            return Result(Outcome.ALREADY_ZERO, _("Nothing to undo: scan an item first."),
                          order=step.open_order())
    order, line = _open_order_line(step, item)
    if line.packed == 0:
        return Result(Outcome.ALREADY_ZERO,
                      _("%(sku)s has no packed unit to undo.") % {"sku": line.sku},
                      order=order, item=line)
    units, box = units_to_undo(order, line)
    order.corrections += 1
    step.touch(order, "corrections")
    pack_units(step, order, line, -units)
    message = _("Undone: %(sku)s is now %(packed)d of %(required)d.") % {
        "sku": line.sku, "packed": line.packed, "required": line.required,
    }
    if units > 1:
        message = _("Pack of %(units)d taken back.") % {"units": units} + " " + message
    return Result(Outcome.UNDONE, message, order=order, item=line, quantity=-units, manual=True,
                  box=box, extra={"units": -units})


def skip(step, *, order=None, **_params):
    """Put an order aside with its counts; scanning its label again resumes it."""
    target = require_order_in_list(step, order) if order else step.open_order()
    if target is None:
        raise InvalidAction(_("No order is open to skip."))
    if target.status == Order.Status.COMPLETED:
        raise InvalidAction(_("Order %(number)s is already completed.") % {"number": target.number})
    if target.status == Order.Status.NEEDS_REVIEW:
        raise InvalidAction(_("Order %(number)s is waiting for a supervisor's review.")
                            % {"number": target.number})
    if target.status == Order.Status.SKIPPED and step.list.open_order_id != target.pk:
        raise InvalidAction(_("Order %(number)s is already skipped.") % {"number": target.number})
    target.status = Order.Status.SKIPPED
    target.skipped_at = step.now
    step.touch(target, "status", "skipped_at")
    if step.list.open_order_id == target.pk:
        step.set_open_order(None)
    check_all_done(step)
    return Result(Outcome.SKIPPED, _("Order %(number)s skipped: scan a label.")
                  % {"number": target.number}, order=target)


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
    """Map a barcode to a SKU for the list's client; the next scan anywhere uses it.

    A barcode that already packs another SKU is re-pointed only with a supervisor's approval
    (the answer shows the old and the new SKU with their product names); a new barcode needs
    one only where the client does not let packers map. The mapping's history keeps the
    worker, the station and the approving supervisor.
    """
    barcode, sku = str(barcode or "").strip(), str(sku or "").strip()
    normalized = normalize_barcode(barcode)
    if not normalized or not sku:
        raise InvalidRequest(_("A barcode (with a letter or digit) and a SKU are required."))
    client = step.list.session.client
    existing = first_row(SkuMapping.objects.filter(client_id=client.pk,
                                                   normalized_barcode=normalized))
    if existing is not None and normalize_sku(existing.sku) == normalize_sku(sku):
        return Result(Outcome.MAPPED, _("Barcode %(barcode)s already packs %(sku)s.")
                      % {"barcode": barcode, "sku": existing.sku}, order=step.open_order(),
                      extra={"mapping": _mapping_answer(barcode, existing.sku, existing.sku)})
    change = _mapping_change(client.pk, barcode, existing, sku)
    if existing is not None:
        step.approve(ApprovalAction.REMAP, _(
            "Barcode %(barcode)s packs %(old)s for every station of %(client)s. Changing it to "
            "%(new)s needs a supervisor's approval.")
            % {"barcode": barcode, "old": existing.sku, "new": sku, "client": client.code},
            mapping=change)
    elif not client.settings_or_default().packers_map_new_barcodes:
        step.approve(ApprovalAction.MAP_NEW, _(
            "Mapping barcode %(barcode)s to %(sku)s needs a supervisor's approval for "
            "%(client)s.") % {"barcode": barcode, "sku": sku, "client": client.code},
            mapping=change)
    previous = existing.sku if existing is not None else None
    _save_mapping(step, existing, client.pk, barcode, sku, by_user)
    if previous is not None:
        message = _("Barcode %(barcode)s now packs %(sku)s instead of %(old)s.") % {
            "barcode": barcode, "sku": sku, "old": previous}
        outcome = Outcome.REMAPPED
    else:
        message = _("Barcode %(barcode)s now packs %(sku)s.") % {"barcode": barcode, "sku": sku}
        outcome = Outcome.MAPPED
    return Result(outcome, message, order=step.open_order(),
                  extra={"mapping": _mapping_answer(barcode, sku, previous)})


def _mapping_change(client_id, barcode, existing, sku):
    """What a mapping change would do, for the approval dialog: old and new with names."""
    old = None
    if existing is not None:
        old = {"sku": existing.sku, "product_name": product_name(client_id, existing.sku)}
    return {"barcode": barcode, "old": old,
            "new": {"sku": sku, "product_name": product_name(client_id, sku)}}


def _mapping_answer(barcode, sku, previous):
    return {"barcode": barcode, "sku": sku, "previous_sku": previous}


def _save_mapping(step, existing, client_id, barcode, sku, by_user):
    """Create or update the mapping row, with who, where and who approved in its history."""
    mapping = existing or SkuMapping(client_id=client_id)
    mapping.barcode, mapping.sku = barcode, sku
    mapping._history_user = by_user if getattr(by_user, "pk", None) else None
    mapping._history_worker = step.worker
    mapping._history_station = step.station
    mapping._history_approved_by = step.approver.worker if step.approved else None
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:  # another station created it meanwhile: never overwrite unseen
        winner = first_row(SkuMapping.objects.filter(
            client_id=client_id, normalized_barcode=normalize_barcode(barcode)))
        if winner is not None and normalize_sku(winner.sku) == normalize_sku(sku):
            return  # both stations asked for the same mapping: it stands, nothing to refuse
        raise InvalidAction(_("Another station mapped this barcode at the same moment; scan "
                              "it again to see what it packs now.")) from None


def flag(step, *, reason=None, note=None, **_params):
    """The packer cannot finish the open order (short, damaged, wrong stock): it waits for a
    supervisor (needs_review), neither completed nor skipped, with its counts kept."""
    reason, note = chosen_reason(reason, note, PROBLEM_REASONS,
                                 _("What is wrong with this order? Choose a problem."))
    order = step.open_order()
    if order is None:
        raise InvalidAction(_("No order is open to flag."))
    order.status = Order.Status.NEEDS_REVIEW
    order.problem, order.problem_note = reason, note
    step.touch(order, "status", "problem", "problem_note")
    step.set_open_order(None)
    message = _("Order %(number)s is set aside for a supervisor: %(problem)s.") % {
        "number": order.number, "problem": Reason(reason).label}
    return Result(Outcome.ORDER_FLAGGED, message, order=order, reason=reason, note=note)


WEIGHT_MAX_KG = Decimal("1000")


def new_box(step, *, weight=None, **_params):
    """Close the open order's current box (with its weight, if given) and open the next: the
    units scanned from now on go into it. A box with nothing in it is not closed."""
    order = step.open_order()
    if order is None:
        raise InvalidAction(_("No order is open: scan its label first."))
    closed = order.box_count
    if not box_units(order, closed):
        raise InvalidAction(_("Box %(n)d is empty: pack something into it first.")
                            % {"n": closed})
    weight = _weight(weight)
    OrderBox.objects.update_or_create(order=order, number=closed,
                                      defaults={"closed_at": step.now, "weight_kg": weight})
    order.box_count = closed + 1
    step.touch(order, "box_count")
    OrderBox.objects.get_or_create(order=order, number=order.box_count)
    message = _("Box %(closed)d of order %(number)s closed; box %(box)d is open.") % {
        "closed": closed, "number": order.number, "box": order.box_count}
    return Result(Outcome.BOX_OPENED, message, order=order,
                  extra={"box": order.box_count, "box_closed": closed})


def _weight(value):
    if value in (None, ""):
        return None
    try:
        weight = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.001"))
    except (InvalidOperation, ValueError):
        weight = None
    if weight is None or not Decimal(0) < weight <= WEIGHT_MAX_KG:
        raise InvalidRequest(_("A box weight is a number of kilograms above 0, at most "
                               "%(max)s.") % {"max": WEIGHT_MAX_KG})
    return weight


RESOLUTIONS = ("reopen", "complete")


def list_of_order(order_id):
    """The list of an order (the lock a supervisor's step on it must take), or NotFound."""
    list_id = first_row(Order.objects.filter(pk=order_id).values_list("packing_list_id",
                                                                      flat=True))
    if list_id is None:
        raise NotFound(_("Order %(id)s does not exist.") % {"id": order_id})
    return list_id


def review(step, *, order, resolution, note="", **_params):
    """A supervisor's resolution of a flagged order: reopen it (the packer scans its label to
    go on) or complete it as it is, with a reason (kept in the log and the report)."""
    target = require_order_in_list(step, order)
    if target.status != Order.Status.NEEDS_REVIEW:
        raise InvalidAction(_("Order %(number)s is not waiting for a review.")
                            % {"number": target.number})
    note = " ".join(str(note or "").split())[:NOTE_MAX]
    if resolution == "reopen":
        if step.list.status == step.list.Status.COMPLETED:
            raise InvalidAction(_("The list has ended: the order can only be completed."))
        target.status = Order.Status.IN_PROGRESS
        step.touch(target, "status")
        return Result(Outcome.REVIEW_REOPENED, _("Order %(number)s can be packed again: scan "
                      "its label at the station.") % {"number": target.number},
                      order=target, note=note)
    if resolution != "complete":
        raise InvalidRequest(_("Resolve with one of: %(choices)s.")
                             % {"choices": ", ".join(RESOLUTIONS)})
    if not note:
        raise ReasonRequired(_("Say why the order is completed as it is."))
    complete_as_is(step, target)
    return Result(Outcome.REVIEW_COMPLETED, _("Order %(number)s completed after review.")
                  % {"number": target.number}, order=target, note=note)


HANDLERS = {
    "confirm": confirm,
    "undo": undo,
    "force_confirm": force_confirm,
    "skip": skip,
    "keep_extra": keep_extra,
    "remove_extra": remove_extra,
    "reopen": reopen,
    "map": map_barcode,
    "flag": flag,
    "new_box": new_box,
}


def handler_for(action):
    handler = HANDLERS.get(str(action or ""))
    if handler is None:
        raise InvalidRequest(
            _("Unknown action %(action)s; use one of: %(actions)s.")
            % {"action": action, "actions": ", ".join(HANDLERS)}
        )
    return handler
