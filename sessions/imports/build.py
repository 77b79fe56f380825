"""Write validated list specs into the database: the one place imports create rows.

Shared by every importer (Excel/CSV, packing-list JSON, Shopify Tool sessions, API pushes and
the legacy share import) so that a list looks the same whatever its source. Callers validate
first (`sessions.imports.specs`) and call these functions inside `transaction.atomic()`; the
database constraints (unique normalised order number per list, unique list name per session)
remain the last line of defence.

Rows are written with `bulk_create` in batches: a 15,000-line list is a handful of INSERTs.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from profiles.normalize import normalize_order_number, normalize_sku
from sessions.counters import FIELDS as COUNTER_FIELDS
from sessions.counters import recount
from sessions.live.publish import FLOOR_GROUP, publish_list_event
from sessions.models import Order, OrderItem, PackingList, PackingSession

BATCH_SIZE = 2000


@dataclass
class ImportResult:
    """What an import created: the session and a summary per new list (see list_summary)."""

    session: PackingSession
    lists: list
    skipped_lists: list = field(default_factory=list)  # names already in the session
    created_session: bool = True
    duplicate_of: dict | None = None  # an identical earlier import: nothing was created
    details: dict = field(default_factory=dict)  # left_out, replaced, reships (imports.guard)

    def as_dict(self):
        if self.duplicate_of is not None:
            return {"duplicate_of": self.duplicate_of, "lists": [], "skipped_lists": []}
        return {
            "session": self.session.pk,
            "session_external_id": self.session.external_id,
            "client": self.session.client.code,
            "created_session": self.created_session,
            "lists": self.lists,
            "skipped_lists": self.skipped_lists,
            "left_out": self.details.get("left_out", []),
            "replaced": self.details.get("replaced", []),
            "reships": self.details.get("reships", 0),
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


def create_timestamped_session(client, **kwargs):
    """A new session whose id is the local time (YYYY-MM-DD_HH-MM, then _2, _3 …).

    Two imports in the same minute may both pick the same free id; the loser's INSERT fails on
    the unique constraint inside its own savepoint and it simply takes the next id.
    """
    base = timezone.localtime().strftime("%Y-%m-%d_%H-%M")
    for attempt in range(5):
        try:
            with transaction.atomic():
                return create_session(
                    client, external_id=unique_external_id(client, base), **kwargs)
        except IntegrityError:
            if attempt == 4:
                raise


# Sources of the sessions an import may add a list to (never a Shopify Tool's or the legacy
# share's session, whose lists are theirs).
JOINABLE_SOURCES = (PackingSession.Source.EXCEL, PackingSession.Source.API)


def todays_open_session(client, *, lock=True):
    """The client's latest open session made by an import today (local day), or None; locked
    unless `lock` is False (a page saying where a list would go)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = PackingSession.objects.select_for_update() if lock else PackingSession.objects
    return (sessions
            .filter(client=client, status=PackingSession.Status.OPEN,
                    source__in=JOINABLE_SOURCES, created_at__gte=start,
                    created_at__lt=start + timedelta(days=1))
            .order_by("-created_at", "-id").first())


def session_for_import(client, *, add_to_open_session=False, **kwargs):
    """(session, created) for a list without a session id of its own.

    By default a new timestamped session per import (`create_timestamped_session`). With
    `add_to_open_session`, the list joins the client's open session of today, as the Shopify
    Tool's sessions hold several lists; a new one is made when there is none.
    """
    if add_to_open_session:
        session = todays_open_session(client)
        if session is not None:
            return session, False
    return create_timestamped_session(client, **kwargs), True


def free_list_name(session, name, limit=300):
    """`name`, or `name (2)`, `name (3)` … : the first list name not used in `session`."""
    taken = set(session.lists.values_list("name", flat=True))
    if name not in taken:
        return name
    n = 2
    while f"{name[:limit - 8]} ({n})" in taken:
        n += 1
    return f"{name[:limit - 8]} ({n})"


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

    Signature (stable, used by sessions/imports/legacy):
        build_list(session, spec, *, position=None, status=None, created_at=None) -> PackingList
    `position` defaults to after the session's last list; `status` to not_started.
    Order.sequence is the order's place in the source (1-based); OrderItem.line_number its
    place within the order (1-based). The list's counters are set from the rows written.
    Returns the PackingList.
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
    fast_insert(Order, [
        {"packing_list_id": packing_list.pk, "number": o.number,
         "normalized_number": normalize_order_number(o.number), "sequence": seq,
         "courier": o.courier, "country": o.country, "order_type": o.order_type,
         "tags": list(o.tags), "internal_tags": list(o.internal_tags), "notes": o.notes,
         "system_note": o.system_note, "box": o.box, "metadata": dict(o.metadata),
         "reship_of_id": o.reship_of}
        for seq, o in enumerate(spec.orders, start=1)
    ])
    ids = dict(packing_list.orders.values_list("normalized_number", "pk"))
    fast_insert(OrderItem, [
        {"order_id": ids[normalize_order_number(o.number)], "line_number": n,
         "source_row": line.source_row, "sku": line.sku, "normalized_sku": normalize_sku(line.sku),
         "product_name": line.product_name, "required": line.required,
         "extra_columns": dict(line.extra_columns)}
        for o in spec.orders
        for n, line in enumerate(o.lines, start=1)
    ])
    recount([packing_list.pk])
    packing_list.refresh_from_db(fields=COUNTER_FIELDS)
    return packing_list


PLAIN_TYPES = {"CharField", "TextField", "IntegerField", "PositiveIntegerField",
               "BigIntegerField", "ForeignKey", "BooleanField"}


def fast_insert(model, rows):
    """INSERT many rows with one executemany, without building a model instance per row.

    bulk_create spent most of a 15,000-line import building instances and compiling a value
    per field per row. Here, columns the rows do not give get the field's default, prepared
    once; plain text/number columns are passed as they are; the rest (JSON) goes through the
    field's own get_db_prep_save, so every backend gets what it expects. Model `save()` and
    signals are not involved (none are defined for Order/OrderItem); constraints still apply.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = rows[0].keys()
    now = timezone.now()
    constants = {
        f.attname: f.get_db_prep_save(
            now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default(), connection)
        for f in fields if f.attname not in given
    }
    prepare = {f.attname: (None if f.get_internal_type() in PLAIN_TYPES else f)
               for f in fields if f.attname in given}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) " \
          f"VALUES ({marks})"
    params = []
    for row in rows:
        values = []
        for f in fields:
            name = f.attname
            if name in constants:
                values.append(constants[name])
            elif prepare[name] is None:
                values.append(row[name])
            else:
                values.append(prepare[name].get_db_prep_save(row[name], connection))
        params.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH_SIZE * 5):
            cursor.executemany(sql, params[start:start + BATCH_SIZE * 5])


def announce_lists(packing_lists):
    """After commit, tell the floor that these lists exist (scenario 32: a list uploaded after
    the session was opened appears at once). A new list has no socket of its own yet."""
    for packing_list in packing_lists:
        publish_list_event(packing_list, groups=(FLOOR_GROUP,))


def list_summary(packing_list, spec):
    """What the command's --json and the API answer say about one created list."""
    return {
        "id": packing_list.pk,
        "name": packing_list.name,
        "orders": len(spec.orders),
        "lines": sum(len(o.lines) for o in spec.orders),
        "units": sum(o.units for o in spec.orders),
    }
