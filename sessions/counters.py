"""A packing list's counters, kept on its own row: the columns, how a change moves them, a recount.

Every scan answer, floor row, station panel and API list shows a list's orders by status, its
required and packed units and its wrong scans. Summed over the list's orders and lines on every
scan answer, they made a scan cost more the longer the list (7.8 ms of PostgreSQL CPU at 5,000
orders, issue 9). They live on the PackingList row instead, moved in the very transaction that
changes what they count, under the list's row lock that every writer takes anyway:

- scans and manual actions: the transaction frame (sessions.scanning.frame.Step) compares each
  locked order's status and each line's packed units with what it read, and moves the counters
  by the difference (`move_status`, `add_packed`, `count_answer`). That is the one place a
  status change is counted, so a new order status needs only its `<status>_orders` column;
- importers, the legacy writer and demo data write many rows at once, then `recount` the new
  lists in one statement.

The scan log stays the truth: sessions.replay rebuilds these figures from it, and
`manage.py verify_counters` compares them with the row.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from sessions.models import Order, OrderItem, PackingList, ScanEvent
from sessions.outcomes import WRONG


def status_field(status):
    """The list column counting the orders in `status` (`completed` → `completed_orders`)."""
    return f"{status}_orders"


STATUS_FIELDS = {status: status_field(status) for status in Order.Status.values}
# Orders that need nothing more: the list is "all done" when every order is one of these.
DONE = (Order.Status.COMPLETED, Order.Status.SKIPPED)
UNITS = ("required_units", "packed_units")
FIELDS = ("order_count", *STATUS_FIELDS.values(), *UNITS, "wrong_scans")


def move_status(packing_list, old, new):
    """One order went from status `old` to `new`; returns the columns that changed."""
    if old == new:
        return ()
    before, after = STATUS_FIELDS[old], STATUS_FIELDS[new]
    setattr(packing_list, before, getattr(packing_list, before) - 1)
    setattr(packing_list, after, getattr(packing_list, after) + 1)
    return (before, after)


def add_packed(packing_list, units):
    """Lines of the list gained `units` packed units (negative: taken back)."""
    if not units:
        return ()
    packing_list.packed_units += units
    return ("packed_units",)


def is_wrong_scan(action, outcome):
    """A scanned code that does not belong (the floor's error column, the accuracy metric)."""
    return action == ScanEvent.Action.SCAN and outcome in WRONG


def count_answer(packing_list, action, outcome):
    """Count a logged answer's wrong scan, if it is one; returns the columns that changed."""
    if not is_wrong_scan(action, outcome):
        return ()
    packing_list.wrong_scans += 1
    return ("wrong_scans",)


def all_done(packing_list):
    """Every order of the list is completed or skipped (read from the counters, no query)."""
    done = sum(getattr(packing_list, STATUS_FIELDS[status]) for status in DONE)
    return done == packing_list.order_count


def _per_list(model, list_path, aggregate, **filters):
    rows = model.objects.filter(**{list_path: OuterRef("pk")}, **filters).order_by()
    return Coalesce(
        Subquery(rows.values(list_path).annotate(n=aggregate).values("n")),
        Value(0), output_field=IntegerField(),
    )


def recount_values():
    """{column: expression} computing every counter from the list's rows and log."""
    values = {"order_count": _per_list(Order, "packing_list", Count("pk"))}
    for status, field in STATUS_FIELDS.items():
        values[field] = _per_list(Order, "packing_list", Count("pk"), status=status)
    values["required_units"] = _per_list(OrderItem, "order__packing_list", Sum("required"))
    values["packed_units"] = _per_list(OrderItem, "order__packing_list", Sum("packed"))
    values["wrong_scans"] = _per_list(
        ScanEvent, "packing_list", Count("pk"),
        **{"action": ScanEvent.Action.SCAN, "outcome__in": list(WRONG)})
    return values


def recount(list_ids):
    """Set the counters of these lists from their rows, in one UPDATE (for bulk writers).

    For lists the caller has just created, or holds the row lock of: a scan on the same list
    running meanwhile would otherwise be overwritten.
    """
    ids = list(list_ids)
    if ids:
        PackingList.objects.filter(pk__in=ids).update(**recount_values())


def counted(list_ids):
    """{list id: {column: value}} computed from the rows, as `recount` would set them."""
    rows = PackingList.objects.filter(pk__in=list(list_ids)).order_by().annotate(
        **{f"counted_{name}": expr for name, expr in recount_values().items()})
    return {pl.pk: {name: getattr(pl, f"counted_{name}") for name in FIELDS} for pl in rows}


def stored(packing_list_id):
    """{column: value} of one list as its row holds them now."""
    return PackingList.objects.filter(pk=packing_list_id).values(*FIELDS).get()

