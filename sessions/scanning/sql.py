"""Plain SQL for the scan path's reads and field updates, with ordinary model instances.

Every scan reads the same few rows (the locked list with its session, client, holder and
station; the open order with its lines and extras). Building those queries with the ORM cost
more CPU than everything else in a scan (measured in bench/profile_scan.py: about 0.5 ms per
query, against 0.1 ms for the same statement as plain SQL), and the server is CPU-bound. The
rows come back as the same model instances, through the same field conversions, so the rest
of the engine does not know the difference. Updates of a few known fields of a row
(`save_fields`) go the same way; inserts stay in the ORM.
"""

from contextlib import contextmanager

from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from profiles.models import Client, Station, Worker
from sessions.errors import NotFound
from sessions.models import PackingList, PackingSession

ID_MAX = 2**63 - 1  # the largest id column (bigint): a larger number can match no row


def as_id(value):
    """An id for a plain-SQL lookup, or None when it cannot match any row (not an integer, or
    out of range: PostgreSQL would refuse the statement and abort the transaction, where
    the ORM simply finds nothing)."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= ID_MAX else None


PREPARE_THRESHOLD = 2  # executions of one statement on a connection before it is prepared


@contextmanager
def prepared_statements():
    """Within this block, this thread's PostgreSQL statements are bound server-side and
    prepared once per pooled connection (psycopg's Cursor instead of Django's ClientCursor).

    The scan path runs the same dozen statements again and again; PostgreSQL parsing and
    planning each afresh (client-side binding, Django's default) cost it 3.0 instead of
    1.6 ms of CPU per scan. Not a global setting: server-side binding breaks some ORM
    queries elsewhere (a parameter inside GROUP BY, e.g. the stats' TruncDate with a time
    zone), so only the scan path's statements, all covered by its tests, run this way.
    """
    if connection.vendor != "postgresql":
        yield
        return
    import psycopg

    connection.ensure_connection()
    pg = connection.connection
    if pg.prepare_threshold is None:
        pg.prepare_threshold = PREPARE_THRESHOLD  # ClientCursor never prepares: no effect there
    previous = pg.cursor_factory
    pg.cursor_factory = psycopg.Cursor
    try:
        yield
    finally:
        pg.cursor_factory = previous


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def for_update(of=()):
    """The row-lock suffix of this database (SQLite has none: BEGIN IMMEDIATE serialises)."""
    if not connection.features.has_select_for_update:
        return ""
    if of and not connection.features.has_select_for_update_of:
        of = ()
    return " " + connection.ops.for_update_sql(of=of)


def attach_rows(instance, name, raw_queryset):
    """Serve `instance.<name>.all()` (a reverse foreign key) from rows read with plain SQL.

    This is what prefetch_related() leaves behind, without building its queries with the ORM.
    Code that changes the relation drops the entry from `_prefetched_objects_cache`, and the
    next .all() re-reads it from the database.
    """
    rows = list(raw_queryset)
    related = getattr(instance, name)
    for row in rows:
        related.field.set_cached_value(row, instance)
    cached = related.model.objects.filter(**{related.field.attname: instance.pk})
    cached._result_cache = rows
    cached._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = cached


def columns(model, alias):
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}"
                     for f in model._meta.concrete_fields)


def instance_from(model, alias, values):
    """A model instance from its columns' raw values (as selected by `columns`), with the same
    conversions the ORM applies (JSON, and dates on SQLite); None for a missing LEFT JOIN row."""
    fields = model._meta.concrete_fields
    if values[[f.primary_key for f in fields].index(True)] is None:
        return None
    converted = []
    for field, value in zip(fields, values):
        col = field.get_col(alias)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = convert(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def joined_row(sql, params, parts):
    """One row of a JOIN read as several instances: `parts` is [(model, alias), …] in the
    order their `columns()` appear in the SELECT. Returns the instances followed by any
    further selected values (as the database gave them), or None when there is no row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for model, alias in parts:
        width = len(model._meta.concrete_fields)
        instances.append(instance_from(model, alias, row[start:start + width]))
        start += width
    return [*instances, *row[start:]]


def save_fields(instance, names):
    """`instance.save(update_fields=names)` as one plain UPDATE (the scan path's writes).

    Values go through each field's pre_save/get_db_prep_save, as the ORM's save does; the
    scan path's models have no save() override and no signal receivers. Like save() with
    update_fields, a row that no longer exists is an error.
    """
    model = type(instance)
    fields = [model._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    values = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in fields]
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(model)} SET {assignments} "
            f"WHERE {connection.ops.quote_name(pk.column)} = %s", [*values, instance.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{model.__name__} {instance.pk} was not updated.")


def lock_list(list_id):
    """The list row, locked FOR UPDATE until the end of the caller's transaction.

    Only the list row is locked (`of=self`): the joined session/client/holder/station rows are
    read-only here, and locking them would serialise unrelated lists of one session.
    """
    missing = NotFound(_("Packing list %(id)s does not exist.") % {"id": list_id})
    pk = as_id(list_id)
    if pk is None:
        raise missing
    # The ORM's select_related() of this query cost 1 ms of CPU per scan (rows.py).
    parts = [(PackingList, "pl"), (PackingSession, "s"), (Client, "c"), (Worker, "w"),
             (Station, "st")]
    found = joined_row(
        f"SELECT {', '.join(columns(model, alias) for model, alias in parts)} "
        f"FROM {table(PackingList)} pl "
        f"JOIN {table(PackingSession)} s ON s.id = pl.session_id "
        f"JOIN {table(Client)} c ON c.id = s.client_id "
        f"LEFT JOIN {table(Worker)} w ON w.id = pl.holder_id "
        f"LEFT JOIN {table(Station)} st ON st.id = pl.station_id "
        f"WHERE pl.id = %s{for_update(of=('pl',))}", [pk], parts,
    )
    if found is None:
        raise missing
    packing_list, session, client, holder, station = found
    PackingSession.client.field.set_cached_value(session, client)
    PackingList.session.field.set_cached_value(packing_list, session)
    PackingList.holder.field.set_cached_value(packing_list, holder)
    PackingList.station.field.set_cached_value(packing_list, station)
    return packing_list
