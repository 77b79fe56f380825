"""Plain multi-row INSERTs for the importer's bulk rows (orders, lines, scan events).

A share holds hundreds of thousands of these rows; building a model instance per row and
compiling Django's bulk INSERT cost more than the database itself (measured: 3/4 of the run).
Rows are given as {attname: value}; every column not given takes the field's Django default,
values go through the field's own get_db_prep_save where the database needs an adapted value
(datetimes, JSON, UUIDs), so the result is exactly what bulk_create would have written.
Row ids are read back by the caller through a natural key (e.g. list + normalised number).
"""

from django.db import connection, models

ADAPTED = (models.DateTimeField, models.JSONField, models.UUIDField, models.DateField,
           models.DecimalField, models.TimeField)


class _Plan:
    def __init__(self, model):
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.adapt = [isinstance(f, ADAPTED) for f in self.fields]
        self.names = [f.attname for f in self.fields]
        # Defaults computed once: a callable default (dict, timezone.now) is only used for
        # columns the importer never leaves out, or where a fresh {} per row is not needed.
        self.defaults = [f.get_default() for f in self.fields]
        qn = connection.ops.quote_name
        cols = ", ".join(qn(f.column) for f in self.fields)
        self.row_sql = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.head = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES "
        # SQLite allows 32766 bound parameters (3.32+); stay far below any limit.
        self.rows_per_statement = max(1, 2000 // len(self.fields))

    def values(self, row):
        out = []
        for field, name, adapt, default in zip(self.fields, self.names, self.adapt,
                                               self.defaults):
            value = row.get(name, default)
            if adapt:
                value = field.get_db_prep_save(value, connection)
            out.append(value)
        return out


_plans = {}


def insert_rows(model, rows):
    """INSERT `rows` (dicts keyed by attname) into `model`'s table, in statements of many rows."""
    if not rows:
        return
    key = (model, connection.vendor)
    plan = _plans.get(key) or _plans.setdefault(key, _Plan(model))
    step = plan.rows_per_statement
    with connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            params = [v for row in chunk for v in plan.values(row)]
            cursor.execute(plan.head + ", ".join([plan.row_sql] * len(chunk)), params)
