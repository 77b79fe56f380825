"""The scanning engine: what a scanned code means for the list held by a station.

With no order open, a code is an order number (normalised: letters, digits, `-`, `_`). With an
order open, it is an item: the client's barcode mapping is applied first (read from the database
on every scan, so a mapping made at any station counts at once everywhere), then the normalised
SKU is matched to the order's lines, repeated SKUs filling in line order. Only when it matches no
line of the open order is it compared with the other orders' numbers ("that is another order's
label"), so an item always wins over an order number that happens to look the same.

Every call is one transaction through engine.run_step (row locks, claim check, idempotent scan
id, ScanEvent with the answer, publish after commit). Manual actions live in actions.py.
"""

import re

from django.utils.translation import gettext as _

from profiles.models import SkuMapping
from profiles.normalize import is_command_code, normalize_order_number, normalize_sku
from sessions.errors import CommandCode, InvalidRequest
from sessions.models import Order, ScanEvent
from sessions.outcomes import Outcome
from sessions.reads.references import known_product
from sessions.scanning import actions
from sessions.scanning.frame import RAW_CODE_MAX, Result, first_row, line_key, run_step
from sessions.scanning.rules import (
    COMPLETE,
    COMPLETE_WITH_EXTRAS,
    add_extra,
    pack_units,
    state_message,
)
from sessions.scanning.sql import table

STATE_OUTCOMES = {COMPLETE: Outcome.ORDER_COMPLETE,
                  COMPLETE_WITH_EXTRAS: Outcome.COMPLETE_WITH_EXTRAS}
# Orders a station cannot have open: done, put aside, or waiting for a supervisor.
CLOSED = (Order.Status.COMPLETED, Order.Status.SKIPPED, Order.Status.NEEDS_REVIEW)


def scan(list_id, *, token, code, scan_id=None):
    """Handle one scanned code for the station holding `token`; returns the answer dict."""
    code = "" if code is None else str(code)
    if len(code) > RAW_CODE_MAX:
        raise InvalidRequest(_("A scanned code has at most %(max)d characters.")
                             % {"max": RAW_CODE_MAX})
    if is_command_code(code):
        raise CommandCode()  # never looked up as an item or an order; nothing is written
    return run_step(
        list_id, token=token, scan_id=scan_id, action=ScanEvent.Action.SCAN, raw_code=code,
        handler=lambda step: _scan(step, scanner_code(code)),
    )


# An AIM symbology identifier a scanner may put before every code: "]" + a letter + a
# modifier ("]C1" GS1-128, "]E0" EAN-13, "]Q3" QR). No SKU or order number starts with "]".
AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
SCANNER_NOISE = str.maketrans("", "", "\r\n\t\x1d")


def scanner_code(code):
    """The code without what a scanner adds: CR/LF/Tab terminators, GS1 group separators
    (ASCII 29) and an AIM identifier. The station strips them too (its settings); API clients
    and stations whose settings are off get the same answer here. The log keeps the raw code."""
    code = code.translate(SCANNER_NOISE).strip()
    return AIM_PREFIX.sub("", code, count=1).strip()


def perform_action(list_id, *, token, action, scan_id=None, item=None, order=None,
                   barcode=None, sku=None, by_user=None, reason=None, note=None,
                   approver=None, weight=None):
    """Run a manual action (confirm, undo, force_confirm, skip, keep_extra, remove_extra,
    reopen, map, flag, new_box) as one idempotent transaction; returns the answer dict.

    `reason` / `note`: why a line is filled by hand or what is wrong with a flagged order.
    `approver`: a supervisor's approval (sessions.approvals.approver_for), for the actions
    that need one (ApprovalRequired otherwise; nothing is written).
    """
    handler = actions.handler_for(action)
    raw_code = barcode if action == "map" else ""
    params = {"item": item, "order": order, "barcode": barcode, "sku": sku, "by_user": by_user,
              "reason": reason, "note": note, "weight": weight}
    return run_step(
        list_id, token=token, scan_id=scan_id, action=action, raw_code=raw_code,
        handler=lambda step: handler(step, **params), approver=approver,
    )


def resolve_review(order_id, *, supervisor, resolution, note="", scan_id=None):
    """A supervisor resolves a flagged order (needs_review), at any screen and whoever holds
    the list: "reopen" (it can be scanned again) or "complete" (with a reason, as it is)."""
    list_id = actions.list_of_order(order_id)
    return run_step(
        list_id, token=None, scan_id=scan_id, action=ScanEvent.Action.REVIEW, raw_code="",
        handler=lambda step: actions.review(step, order=order_id, resolution=resolution,
                                            note=note),
        supervisor=supervisor,
    )


def _scan(step, code):
    order = step.open_order()
    if order is not None and order.status in CLOSED:
        # Closed behind the station's back (admin, end of list, import): not open any more.
        step.set_open_order(None)
        order = None
    if order is None:
        return order_scan(step, code)
    return item_scan(step, code)


def order_scan(step, code):
    """Open (or resume) the order whose normalised number equals the code's."""
    number = normalize_order_number(code)
    order = step.find_order(number) if number else None
    if order is None:
        return Result(Outcome.ORDER_NOT_FOUND,
                      _("Order %(code)s is not in this packing list.") % {"code": code.strip()})
    if order.status == Order.Status.COMPLETED:
        return Result(Outcome.ORDER_ALREADY_COMPLETED,
            _("Order %(number)s is already completed.") % {"number": order.number}, order=order,
        )
    if order.status == Order.Status.NEEDS_REVIEW:
        return Result(Outcome.ORDER_NEEDS_REVIEW, _(
            "Order %(number)s is waiting for a supervisor (%(problem)s): put it aside.")
            % {"number": order.number, "problem": order.get_problem_display()}, order=order)
    resumed = order.status in (Order.Status.IN_PROGRESS, Order.Status.SKIPPED)
    order.status = Order.Status.IN_PROGRESS
    step.touch(order, "status")
    if order.started_at is None:
        order.started_at = step.now
        step.touch(order, "started_at")
    step.set_open_order(order)
    if resumed:
        message = _("Order %(number)s resumed.")
    else:
        message = _("Order %(number)s loaded.")
    return Result(Outcome.ORDER_LOADED, message % {"number": order.number}, order=order,
                  extra={"resumed": resumed})


def mapped_sku(client_id, scanned):
    """The client's mapping of this (normalised) barcode as (SKU, units per scan), or None:
    read fresh on every scan. A packaging barcode (a 6-pack) packs its quantity at once."""
    mapping = next(iter(SkuMapping.objects.raw(
        f"SELECT id, sku, quantity FROM {table(SkuMapping)} WHERE client_id = %s "
        f"AND normalized_barcode = %s", [client_id, scanned],
    )), None)
    return (mapping.sku, mapping.quantity) if mapping is not None else None


def item_scan(step, code):
    """An item of the open order: pack a unit (or a pack of N), over-scan, a pack bigger than
    its line, another order's label, or unknown."""
    order = step.open_order()
    scanned = normalize_sku(code)
    target, units = "", 1
    if scanned:
        mapped = mapped_sku(step.list.session.client_id, scanned)
        if mapped is not None:
            target, units = normalize_sku(mapped[0]), mapped[1]
        else:
            target = scanned
    lines = [i for i in order.items.all() if line_key(i) == target] if target else []
    if lines:
        line = next((i for i in lines if i.required - i.packed >= units), None)
        if line is None and units > 1:
            return pack_exceeds_line(order, lines, units)
        if line is None:
            return over_scan(step, order, lines[-1])
        state = pack_units(step, order, line, units)
        return Result(STATE_OUTCOMES.get(state, Outcome.ITEM_OK),
                      pack_message(order, state, line, units),
                      order=order, item=line, quantity=units, extra={"units": units})
    return label_or_unknown(step, order, code, target)


def pack_message(order, state, line, units):
    message = state_message(order, state, line)
    if units == 1:
        return message
    return _("Pack of %(units)d × %(sku)s.") % {"units": units, "sku": line.sku} + " " + message


def pack_exceeds_line(order, lines, units):
    """A pack of N where no line of its SKU needs N more: nothing is packed; the packer scans
    single units instead."""
    line = max(lines, key=lambda i: i.required - i.packed)
    needed = line.required - line.packed
    message = _(
        "This barcode is a pack of %(units)d × %(sku)s, but order %(number)s needs only "
        "%(needed)d more. Nothing was packed: scan single units instead."
    ) % {"units": units, "sku": line.sku, "number": order.number, "needed": needed}
    return Result(Outcome.PACK_EXCEEDS_LINE, message, order=order, item=line,
                  extra={"units": 0, "pack": units, "needed": needed})


def over_scan(step, order, line):
    extra = add_extra(step, order, line)
    message = _(
        "Extra %(sku)s: order %(number)s needs only %(required)d. Keep it or remove it."
    ) % {"sku": line.sku, "number": order.number, "required": line.required}
    return Result(Outcome.EXTRA_ITEM, message, order=order, item=line, quantity=1,
                  extra={"extra": {"sku": extra.sku, "pending": extra.pending}})


def label_or_unknown(step, order, code, target=""):
    """Not an item of the open order: another order's label (offer to skip) or a wrong item."""
    number = normalize_order_number(code)
    if number == order.normalized_number:
        return Result(Outcome.ORDER_LOADED,
                      _("Order %(number)s is already open.") % {"number": order.number},
                      order=order, extra={"resumed": True})
    other = None
    if number:
        other = first_row(
            Order.objects.filter(packing_list_id=step.list.pk, normalized_number=number)
            .values("id", "number", "status")
        )
    if other is not None:
        message = _(
            "That is the label of order %(other)s, not an item. Order %(number)s is still "
            "open: finish it, or skip it to open %(other)s."
        ) % {"other": other["number"], "number": order.number}
        return Result(Outcome.OTHER_ORDER_LABEL, message, order=order,
                      extra={"other_order": other, "can_skip": True})
    order.unknown_scans += 1
    step.touch(order, "unknown_scans")
    product = known_product(step.list.session.client_id, target)
    if product is not None:  # a product of this client, only not of this order: name it
        return Result(Outcome.UNKNOWN_ITEM, _(
            "Wrong item: %(name)s (%(sku)s) is not in this order") % {
                "name": product["product_name"], "sku": product["sku"]},
            order=order, extra={"product": product})
    return Result(Outcome.UNKNOWN_ITEM,
        _("%(code)s is not an item of order %(number)s.") % {"code": code.strip(),
                                                               "number": order.number},
        order=order,
    )
