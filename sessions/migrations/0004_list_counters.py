"""The list's counters on its row (issue 9), filled for existing lists from their rows and log.

The fill is frozen here (not sessions.counters) so that later changes to the app cannot change
what this migration does.
"""

import django.db.models.expressions
from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

STATUSES = ("new", "in_progress", "completed", "skipped")
WRONG = ("unknown_item", "extra_item", "other_order_label")


def fill_counters(apps, schema_editor):
    PackingList = apps.get_model("packing_sessions", "PackingList")
    Order = apps.get_model("packing_sessions", "Order")
    OrderItem = apps.get_model("packing_sessions", "OrderItem")
    ScanEvent = apps.get_model("packing_sessions", "ScanEvent")

    def per_list(model, path, aggregate, **filters):
        rows = model.objects.filter(**{path: OuterRef("pk")}, **filters).order_by()
        return Coalesce(Subquery(rows.values(path).annotate(n=aggregate).values("n")),
                        Value(0), output_field=IntegerField())

    values = {"order_count": per_list(Order, "packing_list", Count("pk"))}
    for status in STATUSES:
        values[f"{status}_orders"] = per_list(Order, "packing_list", Count("pk"), status=status)
    values["required_units"] = per_list(OrderItem, "order__packing_list", Sum("required"))
    values["packed_units"] = per_list(OrderItem, "order__packing_list", Sum("packed"))
    values["wrong_scans"] = per_list(ScanEvent, "packing_list", Count("pk"), action="scan",
                                     outcome__in=WRONG)
    PackingList.objects.update(**values)


class Migration(migrations.Migration):

    dependencies = [
        ('packing_sessions', '0003_scan_outcome_vocabulary'),
        ('profiles', '0003_role_groups_stats'),
    ]

    operations = [
        migrations.AddField(
            model_name='packinglist',
            name='completed_orders',
            field=models.PositiveIntegerField(default=0, verbose_name='completed orders'),
        ),
        migrations.AddField(
            model_name='packinglist',
            name='in_progress_orders',
            field=models.PositiveIntegerField(default=0, verbose_name='orders in progress'),
        ),
        migrations.AddField(
            model_name='packinglist',
            name='new_orders',
            field=models.PositiveIntegerField(default=0, verbose_name='new orders'),
        ),
        migrations.AddField(
            model_name='packinglist',
            name='order_count',
            field=models.PositiveIntegerField(default=0, verbose_name='orders'),
        ),
        migrations.AddField(
            model_name='packinglist',
            name='packed_units',
            field=models.PositiveIntegerField(default=0, verbose_name='packed units'),
        ),
        migrations.AddField(
            model_name='packinglist',
            name='required_units',
            field=models.PositiveIntegerField(default=0, verbose_name='required units'),
        ),
        migrations.AddField(
            model_name='packinglist',
            name='skipped_orders',
            field=models.PositiveIntegerField(default=0, verbose_name='skipped orders'),
        ),
        migrations.AddField(
            model_name='packinglist',
            name='wrong_scans',
            field=models.PositiveIntegerField(default=0, help_text="Scans answered unknown item, extra item or another order's label.", verbose_name='wrong scans'),
        ),
        migrations.RunPython(fill_counters, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='packinglist',
            constraint=models.CheckConstraint(condition=models.Q(('packed_units__lte', models.F('required_units'))), name='list_packed_within_required'),
        ),
        migrations.AddConstraint(
            model_name='packinglist',
            constraint=models.CheckConstraint(condition=models.Q(('order_count', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('new_orders'), '+', models.F('in_progress_orders')), '+', models.F('completed_orders')), '+', models.F('skipped_orders')))), name='list_orders_by_status'),
        ),
    ]
