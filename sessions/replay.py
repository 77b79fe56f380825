"""Recompute a list's counters from its ScanEvent log alone.

Counters on Order / OrderItem / OrderExtra and the list's own (sessions.counters: orders by
status, required and packed units, wrong scans) are a cache of the log. `replay_counters`
rebuilds them from the events (in log order) and `stored_counters` reads the cache in the same
shape, so a test, an admin check or a repair command can compare the two. Event meaning, by
action:

- scan: order_loaded opens the order; item_ok / order_complete / complete_with_extras add
  `quantity` units to `item` (N for a packaging barcode); extra_item adds one pending extra
  of `item`'s SKU; unknown_item counts an unknown scan; the other outcomes change nothing.
- confirm / force_confirm: add `quantity` units, one manual confirmation. undo (undone): adds
  `quantity` (−1), one correction. keep_extra / remove_extra: `quantity` pending units become
  kept / removed. skip / reopen: status. flag (order_flagged): needs_review. new_box
  (box_opened): one more box (what is in each box is the log itself: sessions.reads.boxes). review:
  review_reopened → in progress, review_completed → completed (as it is). map: nothing.
  import: adds `quantity` to `item`;
  an import without item whose outcome is order_complete (the legacy importer's record of an
  order the old app completed) completes an order that has no lines, since no line change ever
  will; an order with lines is settled by its lines as usual.
After every change to lines or extras an order whose lines are full with no pending extra is
completed, exactly as the engine does. The list's figures follow from the replayed orders and
lines; its wrong scans are the scans (action scan) answered with a sessions.outcomes.WRONG.
"""

from collections import defaultdict

from profiles.normalize import normalize_sku
from sessions import counters
from sessions.models import Order, OrderExtra, OrderItem, ScanEvent
from sessions.outcomes import PACKING, Outcome

ORDER_FIELDS = ("status", "corrections", "extra_scans", "unknown_scans", "manual_confirmations",
                "box_count")


def _key(item):
    return item.normalized_sku or normalize_sku(item.sku)


class _Replay:
    def __init__(self, packing_list):
        orders = Order.objects.filter(packing_list=packing_list).order_by("pk")
        self.orders = {
            o.pk: {"status": Order.Status.NEW, "corrections": 0, "extra_scans": 0,
                   "unknown_scans": 0, "manual_confirmations": 0, "box_count": 1}
            for o in orders
        }
        self.lines = {}
        self.lines_of = defaultdict(list)
        for item in OrderItem.objects.filter(order__packing_list=packing_list):
            self.lines[item.pk] = {"order": item.order_id, "key": _key(item),
                                   "required": item.required, "packed": 0}
            self.lines_of[item.order_id].append(item.pk)
        self.extras = defaultdict(lambda: {"pending": 0, "kept": 0, "removed": 0})
        self.wrong_scans = 0

    def apply(self, event):
        self.wrong_scans += counters.is_wrong_scan(event.action, event.outcome)
        order = self.orders.get(event.order_id)
        line = self.lines.get(event.item_id)
        action, outcome, qty = event.action, event.outcome, event.quantity
        if order is None:
            return
        if outcome in (Outcome.ORDER_LOADED, Outcome.REOPENED, Outcome.REVIEW_REOPENED):
            order["status"] = Order.Status.IN_PROGRESS
        elif outcome == Outcome.SKIPPED:
            order["status"] = Order.Status.SKIPPED
        elif outcome == Outcome.ORDER_FLAGGED:
            order["status"] = Order.Status.NEEDS_REVIEW
        elif outcome == Outcome.BOX_OPENED:
            order["box_count"] += 1
        elif outcome == Outcome.REVIEW_COMPLETED:
            order["status"] = Order.Status.COMPLETED
        elif outcome == Outcome.UNKNOWN_ITEM:
            order["unknown_scans"] += 1
        elif outcome == Outcome.EXTRA_ITEM:
            self._extra(event, line)["pending"] += 1
            order["extra_scans"] += 1
        elif outcome in (Outcome.EXTRA_KEPT, Outcome.EXTRA_REMOVED):
            extra = self._extra(event, line)
            extra["pending"] -= qty
            extra["kept" if outcome == Outcome.EXTRA_KEPT else "removed"] += qty
            self._settle(event.order_id)
        elif (action == ScanEvent.Action.IMPORT and outcome == Outcome.ORDER_COMPLETE
              and line is None):
            self._imported_completion(event.order_id)
        elif line is not None and (
            (action == ScanEvent.Action.SCAN and outcome in PACKING)
            or outcome in (Outcome.CONFIRMED, Outcome.FORCE_CONFIRMED, Outcome.UNDONE)
            or action == ScanEvent.Action.IMPORT
        ):
            line["packed"] += qty
            if outcome in (Outcome.CONFIRMED, Outcome.FORCE_CONFIRMED):
                order["manual_confirmations"] += 1
            elif outcome == Outcome.UNDONE:
                order["corrections"] += 1
            self._settle(event.order_id)

    def _extra(self, event, line):
        # The engine always records the line of the over-scanned SKU on extra events.
        return self.extras[(event.order_id, line["key"] if line else "")]

    def _imported_completion(self, order_id):
        # An imported order known only by its number (no lines to fill) was completed in the
        # old app: this event is the only record of it. With lines, the lines decide as usual.
        if self.lines_of[order_id]:
            self._settle(order_id)
        else:
            self.orders[order_id]["status"] = Order.Status.COMPLETED

    def _settle(self, order_id):
        lines = [self.lines[pk] for pk in self.lines_of[order_id]]
        if not lines or any(x["packed"] < x["required"] for x in lines):
            return
        if any(v["pending"] for (oid, _k), v in self.extras.items() if oid == order_id):
            return
        self.orders[order_id]["status"] = Order.Status.COMPLETED

    def list_figures(self):
        """The list's counters as the replayed orders and lines give them."""
        figures = dict.fromkeys(counters.FIELDS, 0)
        figures["order_count"] = len(self.orders)
        for order in self.orders.values():
            figures[counters.STATUS_FIELDS[order["status"]]] += 1
        figures["required_units"] = sum(line["required"] for line in self.lines.values())
        figures["packed_units"] = sum(line["packed"] for line in self.lines.values())
        figures["wrong_scans"] = self.wrong_scans
        return figures


def replay_counters(packing_list):
    """{"orders": {id: {...}}, "items": {id: packed}, "extras": {(order id, sku key): {...}},
    "list": {counter column: value}}."""
    replay = _Replay(packing_list)
    # pk order is commit order: every step inserts its event while holding the list lock.
    events = ScanEvent.objects.filter(packing_list=packing_list).order_by("pk")
    for event in events.only("order_id", "item_id", "action", "outcome", "quantity", "response"):
        replay.apply(event)
    return {
        "orders": replay.orders,
        "items": {pk: line["packed"] for pk, line in replay.lines.items()},
        "extras": {k: dict(v) for k, v in replay.extras.items() if any(v.values())},
        "list": replay.list_figures(),
    }


def stored_counters(packing_list):
    """The cached counters, in the shape of replay_counters (for comparison)."""
    orders = Order.objects.filter(packing_list=packing_list).values("pk", *ORDER_FIELDS)
    items = OrderItem.objects.filter(order__packing_list=packing_list).values_list("pk", "packed")
    extras = OrderExtra.objects.filter(order__packing_list=packing_list)
    return {
        "orders": {row.pop("pk"): row for row in orders},
        "items": dict(items),
        "extras": {
            (e.order_id, e.normalized_sku): {"pending": e.pending, "kept": e.kept,
                                             "removed": e.removed}
            for e in extras if e.pending or e.kept or e.removed
        },
        "list": counters.stored(packing_list.pk),
    }
