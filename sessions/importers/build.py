"""Write validated list specs into the database: the one place imports create rows.

Shared by every importer (Excel/CSV, packing-list JSON, Shopify Tool sessions, API pushes and
the legacy share import) so that a list looks the same whatever its source. Callers validate
first (`sessions.importers.specs`) and call these functions inside `transaction.atomic()`; the
database constraints (unique normalised order number per list, unique list name per session)
remain the last line of defence.

Rows are written with `bulk_create` in batches: a 15,000-line list is a handful of INSERTs.
"""

from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from profiles.normalize import normalize_order_number, normalize_sku
from sessions.events import publish_list_event
from sessions.models import Order, OrderItem, PackingList, PackingSession

BATCH_SIZE = 2000


@dataclass
class ImportResult:
    """What an import created: the session and a summary per new list (see list_summary)."""

    session: PackingSession
    lists: list
    skipped_lists: list = field(default_factory=list)  # names already in the session
    created_session: bool = True

    def as_dict(self):
        return {
            "session": self.session.pk,
            "session_external_id": self.session.external_id,
            "client": self.session.client.code,
            "created_session": self.created_session,
            "lists": self.lists,
            "skipped_lists": self.skipped_lists,
        }


def unique_external_id(client, base):
    """`base`, or `base_2`, `base_3` … : the first session id not yet used by this client."""
    taken = set(
        PackingSession.objects.filter(client=client, external_id__startswith=base)
        .values_list("external_id", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def create_session(client, *, external_id, source, source_path="", info=None, user=None,
                   created_at=None):
    """A new PackingSession row (no lists yet)."""
    return PackingSession.objects.create(
        client=client, external_id=external_id, source=source, source_path=source_path,
        info=info or {}, created_by=user if user and user.is_authenticated else None,
        created_at=created_at or timezone.now(),
    )


def build_list(session, spec, *, position=None, status=None, created_at=None):
    """Create one PackingList with its orders and lines from a validated `ListSpec`.

    Signature (stable, used by sessions/importers/legacy):
        build_list(session, spec, *, position=None, status=None, created_at=None) -> PackingList
    `position` defaults to after the session's last list; `status` to not_started.
    Order.sequence is the order's place in the source (1-based); OrderItem.line_number its
    place within the order (1-based). Returns the PackingList.
    """
    if position is None:
        last = session.lists.aggregate(m=Max("position"))["m"]
        position = 0 if last is None else last + 1
    packing_list = PackingList.objects.create(
        session=session, name=spec.name, position=position,
        status=status or PackingList.Status.NOT_STARTED, source_file=spec.source_file,
        source_columns=list(spec.source_columns), info=dict(spec.info),
        created_at=created_at or timezone.now(),
    )
    orders = [
        Order(
            packing_list=packing_list, number=o.number,
            normalized_number=normalize_order_number(o.number), sequence=seq,
            courier=o.courier, country=o.country, order_type=o.order_type, tags=list(o.tags),
            internal_tags=list(o.internal_tags), notes=o.notes, system_note=o.system_note,
            box=o.box, metadata=dict(o.metadata),
        )
        for seq, o in enumerate(spec.orders, start=1)
    ]
    created = Order.objects.bulk_create(orders, batch_size=BATCH_SIZE)
    if any(order.pk is None for order in created):  # backends without RETURNING
        by_number = dict(packing_list.orders.values_list("normalized_number", "pk"))
        for order in created:
            order.pk = by_number[order.normalized_number]
    items = [
        OrderItem(
            order_id=order.pk, line_number=n, source_row=line.source_row, sku=line.sku,
            normalized_sku=normalize_sku(line.sku), product_name=line.product_name,
            required=line.required, extra_columns=dict(line.extra_columns),
        )
        for order, o in zip(created, spec.orders)
        for n, line in enumerate(o.lines, start=1)
    ]
    OrderItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
    return packing_list


def announce_lists(packing_lists):
    """After commit, tell the floor and the session browser that these lists exist
    (scenario 32: a list uploaded after the session was opened appears at once)."""
    for packing_list in packing_lists:
        publish_list_event(packing_list, outcome="imported")


def list_summary(packing_list, spec):
    """What the command's --json and the API answer say about one created list."""
    return {
        "id": packing_list.pk,
        "name": packing_list.name,
        "orders": len(spec.orders),
        "lines": sum(len(o.lines) for o in spec.orders),
        "units": sum(o.units for o in spec.orders),
    }
