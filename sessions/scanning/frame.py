"""The frame every scan and manual action runs in (used by scanning/codes.py and actions.py).

One call = one transaction: lock the list row (the claim check happens under that lock), answer a
retried scan id from the log, let the handler change counters, write what changed and move the
list's counters by exactly that (Step.flush, the one place: sessions.counters), append the
ScanEvent that explains the change (with the answer, for later retries), write the webhook
events an order's new status causes (sessions.outbox), publish after commit.
Anything that raises rolls the whole step back, so a scan is either fully applied or not at all.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.normalize import normalize_sku
from sessions import approvals, outbox
from sessions.counters import add_packed, count_answer, move_status
from sessions.errors import (
    InvalidRequest,
    ListCompleted,
    NotClaimHolder,
    NotFound,
    ScanIdConflict,
)
from sessions.live.publish import publish_list_event
from sessions.models import Order, OrderExtra, OrderItem, PackingList, ScanEvent
from sessions.outcomes import LINE_CHANGES
from sessions.reads.claim_history import claim_ended
from sessions.reads.payloads import list_payload, order_payload
from sessions.scanning.sql import (
    as_id,
    attach_rows,
    for_update,
    lock_list,
    prepared_statements,
    save_fields,
    table,
)

SCAN_ID_MAX = 100
RAW_CODE_MAX = 500


@dataclass
class Result:
    """What a handler did: the outcome, its message, and what the ScanEvent should record."""

    outcome: str
    message: str
    order: Order | None = None
    item: OrderItem | None = None
    quantity: int = 0
    manual: bool = False
    extra: dict = field(default_factory=dict)
    reason: str = ""  # a manual fill's or a flag's reason (sessions.models.Reason)
    note: str = ""
    box: int | None = None  # the box units came out of (undo); else the order's current box


def event_box(result):
    """The box an event's units went into or came out of: None while the order is in one box
    (it looks exactly as before), else the undo's box or the order's current (last) box."""
    order = result.order
    if order is None or result.item is None or not result.quantity or order.box_count <= 1:
        return result.box
    return result.box or order.box_count


def pending_units(result):
    """The units this step's event will put in (or take out of) a box of an order of several
    boxes: the answer is built before the event is written."""
    box = event_box(result)
    if box is None or result.outcome not in LINE_CHANGES:
        return ()
    return ((result.order.pk, box, result.item.pk, result.quantity),)


def first_row(queryset):
    """The first row or None, without the model's default ordering (which would join the
    parent tables just to sort, even inside FOR UPDATE queries)."""
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None


def line_key(item):
    """The normalised SKU a scan must match (computed if an importer left it empty)."""
    return item.normalized_sku or normalize_sku(item.sku)


class Step:
    """The state of one scan/action inside its transaction: the locked list, who acts (the
    holder at their station, or a supervisor off the station), the supervisor's approval if
    one was given, the orders locked so far with their lines (and the status / packed units
    they had when read), and which fields need saving."""

    def __init__(self, packing_list, scan_id, *, approver=None, worker=None):
        self.list = packing_list
        self.at_station = worker is None
        self.worker = packing_list.holder if self.at_station else worker
        self.station = packing_list.station if self.at_station else None
        self.scan_id = scan_id
        self.approver = approver
        self.approved = None  # the ApprovalAction this step used its approver for
        self.now = timezone.now()
        self.all_done = False
        self.order_completed = False
        self.list_fields = set()
        self._orders = {}
        self._order_fields = {}
        self._seen_status = {}  # order id -> status when locked (or last counted)
        self._lines = {}  # line id -> [line, packed units when locked (or last counted)]
        self.changed_orders = []  # orders whose status changed (for the webhook outbox)
        if self.at_station:
            # A scan is a sign of life: an actively scanning station never goes stale.
            packing_list.heartbeat_at = self.now
            self.list_fields.add("heartbeat_at")

    def approve(self, action, message, **details):
        """Go on only with a supervisor's approval (ApprovalRequired otherwise); it is stored
        with this step's event."""
        approvals.require(self.approver, action, message, **details)
        self.approved = action

    def lock_order(self, order_id):
        """The order row (FOR UPDATE) with its lines and extras; None if not in this list."""
        if order_id in self._orders:
            return self._orders[order_id]
        if as_id(order_id) is None:
            return None
        order = next(iter(Order.objects.raw(
            f"SELECT * FROM {table(Order)} WHERE id = %s AND packing_list_id = %s{for_update()}",
            [order_id, self.list.pk],
        )), None)
        if order is not None:
            attach_rows(order, "items", OrderItem.objects.raw(
                f"SELECT * FROM {table(OrderItem)} WHERE order_id = %s ORDER BY line_number, id",
                [order.pk]))
            attach_rows(order, "extras", OrderExtra.objects.raw(
                f"SELECT * FROM {table(OrderExtra)} WHERE order_id = %s ORDER BY id", [order.pk]))
            self._orders[order.pk] = order
            self._seen_status[order.pk] = order.status
            for line in order.items.all():
                self._lines[line.pk] = [line, line.packed]
        return order

    def find_order(self, normalized_number):
        order_id = first_row(
            Order.objects.filter(packing_list_id=self.list.pk, normalized_number=normalized_number)
            .values_list("pk", flat=True)
        )
        return self.lock_order(order_id) if order_id else None

    def open_order(self):
        return self.lock_order(self.list.open_order_id) if self.list.open_order_id else None

    def touch(self, order, *fields):
        """Remember that these order fields changed (saved once, by flush)."""
        self._order_fields.setdefault(order.pk, set()).update(fields)

    def set_open_order(self, order):
        self.list.open_order = order
        self.list.open_order_id = order.pk if order else None
        self.list_fields.add("open_order")

    def flush(self):
        """Write the changed orders and lines, and move the list's counters by what changed
        since they were read: THE place where status changes and packed units are counted,
        whichever handler made them (so a new status or action needs nothing here)."""
        for order in self._orders.values():
            seen = self._seen_status[order.pk]
            if order.status != seen:
                self.list_fields.update(move_status(self.list, seen, order.status))
                self._seen_status[order.pk] = order.status
                self.touch(order, "status")
                self.changed_orders.append(order)
        for order_id, fields in self._order_fields.items():
            if fields:
                save_fields(self._orders[order_id], sorted(fields))
        self._order_fields = {}
        for entry in self._lines.values():
            line, seen = entry
            if line.packed != seen:
                save_fields(line, ["packed"])
                self.list_fields.update(add_packed(self.list, line.packed - seen))
                entry[1] = line.packed

    def count_answer(self, action, result):
        """A wrong scan is counted on the list (the floor's error column), with the others."""
        self.list_fields.update(count_answer(self.list, action, result.outcome))

    def save_list(self):
        self.flush()
        if self.list_fields:
            save_fields(self.list, sorted(self.list_fields))
        for order in self.changed_orders:
            outbox.order_changed(self.list, order, worker=self.worker, station=self.station,
                                 now=self.now)

    def answer(self, result):
        """The answer dict of the contract (JSON-ready: it is stored for retries)."""
        body = {
            "outcome": result.outcome,
            "message": str(result.message),
            "order": (order_payload(result.order, pending_units(result))
                      if result.order is not None else None),
            "list": list_payload(self.list, now=self.now),
            "scan_id": self.scan_id,
            "duplicate": False,
            "all_done": self.all_done,
            "order_completed": self.order_completed,
            # What the station keeps on screen: the order it holds open, or the one this step
            # just completed (shown until the next scan); a skipped, flagged or other order not.
            "show_order": self.shows(result.order),
            # What was scanned or acted on, named (Last scan, the timeline of the station).
            "product": ({"sku": result.item.sku, "product_name": result.item.product_name}
                        if result.item is not None else None),
        }
        body.update(result.extra)
        return body

    def shows(self, order):
        if order is None:
            return False
        return self.list.open_order_id == order.pk or (
            self.order_completed and order.status == Order.Status.COMPLETED)

    def record(self, result, answer, action, raw_code):
        event = ScanEvent.objects.create(
            packing_list=self.list, order=result.order, item=result.item, worker=self.worker,
            station=self.station, action=action, raw_code=raw_code, outcome=result.outcome,
            quantity=result.quantity, manual=result.manual, reason=result.reason,
            note=result.note, box=event_box(result), scan_id=self.scan_id, response=answer,
            created_at=self.now,
        )
        if self.approved:
            approvals.record(self.approver, self.approved, packing_list=self.list,
                             requested_by=self.worker, station=self.station, scan_event=event)
        return event


def _token_matches(packing_list, token):
    if not token or packing_list.claim_token is None:
        return False
    return str(packing_list.claim_token) == str(token).strip().lower()


def lock_claimed_list(list_id, token):
    """Lock the list and check the caller holds its claim; every write service starts here.

    A station whose claim was ended (released, taken over, force-released) is told by whom,
    when and why (`ended`), so its screen can say so.
    """
    packing_list = lock_list(list_id)
    if packing_list.status == PackingList.Status.COMPLETED:
        raise ListCompleted()
    if not _token_matches(packing_list, token):
        ended = claim_ended(packing_list.pk, token)
        raise NotClaimHolder(**({"ended": ended} if ended else {}))
    return packing_list


def clean_scan_id(scan_id):
    if scan_id is None:
        return None
    scan_id = str(scan_id).strip()
    if not scan_id:
        return None
    if len(scan_id) > SCAN_ID_MAX:
        raise InvalidRequest(_("A scan id has at most %(max)d characters.") % {"max": SCAN_ID_MAX})
    return scan_id


def _retry_answer(packing_list, scan_id, action, raw_code):
    """The stored first answer when this scan id was already used for the same request."""
    previous = next(iter(ScanEvent.objects.raw(
        f"SELECT id, action, raw_code, response FROM {table(ScanEvent)} "
        f"WHERE packing_list_id = %s AND scan_id = %s", [packing_list.pk, scan_id],
    )), None)
    if previous is None:
        return None
    if previous.action != action or (action == ScanEvent.Action.SCAN
                                     and previous.raw_code != raw_code):
        raise ScanIdConflict()
    answer = dict(previous.response)
    answer["duplicate"] = True
    return answer


def run_step(list_id, *, token, scan_id, action, raw_code, handler, approver=None,
             supervisor=None):
    """Run `handler(step) -> Result` as one locked, logged, idempotent transaction.

    At the station (`token`: the claim holder's) or, for a supervisor's own step off the
    station (`supervisor`: their Worker, no token; e.g. resolving a flagged order), on the
    list whoever holds it. `approver` is a supervisor's approval checked beforehand
    (sessions.approvals.approver_for).
    """
    scan_id = clean_scan_id(scan_id)
    raw_code = str(raw_code or "")[:RAW_CODE_MAX]
    with prepared_statements(), transaction.atomic():
        # The list lock comes first: concurrent retries of one scan id serialise here, and the
        # second one finds the first one's event below.
        if supervisor is not None:
            packing_list = lock_list(list_id)
        else:
            packing_list = lock_claimed_list(list_id, token)
        if scan_id is not None:
            stored = _retry_answer(packing_list, scan_id, action, raw_code)
            if stored is not None:
                return stored
        step = Step(packing_list, scan_id, approver=approver, worker=supervisor)
        result = handler(step)
        step.count_answer(action, result)
        step.save_list()
        answer = step.answer(result)
        event = step.record(result, answer, action, raw_code)
        publish_list_event(packing_list, scan=event, payload=answer["list"], now=step.now)
        return answer


def require_order_in_list(step, order_id):
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        raise InvalidRequest(_("An order id is required.")) from None
    order = step.lock_order(order_id)
    if order is None:
        raise NotFound(_("Order %(id)s is not in this packing list.") % {"id": order_id})
    return order
