"""A list's counters live on its row (issue 9, part 4): a scan costs the same on a short and a
long list, every writer keeps the counters right, the database refuses impossible ones, and
the scan log (replay, verify_counters) checks them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F

from sessions import counters
from sessions.demo import load_demo
from sessions.imports.build import build_list as import_list
from sessions.imports.build import create_session
from sessions.imports.specs import LineSpec, ListSpec, OrderSpec
from sessions.models import Order, PackingList
from sessions.scanning.codes import perform_action, scan
from tests.builders import (
    add_order,
    build_client,
    build_list,
    build_user,
    claimed,
    supervisor_approval,
)

AGGREGATES = ("COUNT(", "SUM(", "GROUP BY")


def stored(packing_list):
    return counters.stored(packing_list.pk)


def from_rows(packing_list):
    return counters.counted([packing_list.pk])[packing_list.pk]


def test_every_order_status_has_its_column_in_the_sum():
    """A new Order.Status needs its `<status>_orders` column, in the list_orders_by_status sum."""
    fields = {f.name for f in PackingList._meta.get_fields()}
    [check] = [c for c in PackingList._meta.constraints if c.name == "list_orders_by_status"]
    summed = str(check.condition)
    for status in Order.Status.values:
        column = counters.status_field(status)
        assert column in fields, f"add PackingList.{column} (and a migration)"
        assert f"F({column})" in summed, f"add F('{column}') to list_orders_by_status"


@pytest.mark.django_db
def test_scans_and_actions_move_the_counters_as_the_rows_change():
    packing_list = build_list({"O-1": [("A", 2), ("B", 1)], "O-2": [("C", 1)],
                               "O-3": [("D", 3)]})
    supervisor = build_user(role="supervisor")
    claim = claimed(packing_list)
    steps = [("scan", "O-1"), ("scan", "A"), ("scan", "NOPE"), ("scan", "O-2"),  # a label
             ("scan", "A"), ("scan", "A"),  # an over-scan: the extra A is pending
             ("scan", "B"),  # lines full, extra pending: not completed yet
             ("action", {"action": "remove_extra", "sku": "A"}),  # completes O-1
             ("scan", "O-2"), ("action", {"action": "skip"}), ("scan", "O-3"),
             ("scan", "D"), ("action", {"action": "undo", "item": None}), ("scan", "D"),
             ("action", {"action": "force_confirm", "item": None, "reason": "label_damaged"})]
    # the last one completes O-3 (with a supervisor's approval, below)
    d_line = packing_list.orders.get(number="O-3").items.get()
    o1 = packing_list.orders.get(number="O-1")
    for kind, arg in steps:
        if kind == "scan":
            scan(claim.list_id, token=claim.token, code=arg)
        else:
            if arg.get("item", "") is None:
                arg = dict(arg, item=d_line.pk)
            if arg["action"] == "force_confirm":
                arg = dict(arg, approver=supervisor_approval())
            perform_action(claim.list_id, token=claim.token, **arg)
        assert stored(packing_list) == from_rows(packing_list), (kind, arg)
    perform_action(claim.list_id, token=claim.token, action="reopen", order=o1.pk,
                   by_user=supervisor)
    figures = stored(packing_list)
    assert figures == from_rows(packing_list)
    assert figures == {
        "order_count": 3, "new_orders": 0, "in_progress_orders": 1, "completed_orders": 1,
        "skipped_orders": 1, "needs_review_orders": 0, "required_units": 7, "packed_units": 6,
        "wrong_scans": 3,  # NOPE, another order's label (O-2 with O-1 open), the extra B
    }


@pytest.mark.django_db
def test_all_done_is_announced_once_from_the_counters():
    claim = claimed(build_list({"O-1": [("A", 1)], "O-2": [("B", 1)]}))
    answers = [scan(claim.list_id, token=claim.token, code=c) for c in ("O-1", "A", "O-2")]
    assert not any(a["all_done"] for a in answers)
    last = perform_action(claim.list_id, token=claim.token, action="skip")
    assert last["all_done"] is True and last["list"]["all_done"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("orders", [3, 300])
def test_no_scan_runs_an_aggregate_over_the_list(orders):
    packing_list = build_list()
    for n in range(orders):
        add_order(packing_list, f"O-{n}", [("A", 1), ("B", 2)], sequence=n)
    claim = claimed(packing_list)
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql.upper())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        for code in ("O-1", "A", "NOPE", "O-2", "B", "B"):  # O-1 completed: "all done"?
            scan(claim.list_id, token=claim.token, code=code)
        scan(claim.list_id, token=claim.token, code="O-2")
        perform_action(claim.list_id, token=claim.token, action="skip")
        for code in ("O-0", "A", "B", "B"):
            scan(claim.list_id, token=claim.token, code=code)
    assert len(statements) > 40
    assert not [s for s in statements if any(a in s for a in AGGREGATES)]


@pytest.mark.django_db
def test_the_database_refuses_impossible_counters():
    packing_list = build_list({"O-1": [("A", 2)]})
    rows = PackingList.objects.filter(pk=packing_list.pk)
    for bad in ({"packed_units": 3},  # more than required
                {"new_orders": 0},  # 1 order, but no status counts it
                {"order_count": 2},
                {"wrong_scans": -1}, {"new_orders": -1, "completed_orders": 2}):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**bad)
    rows.update(packed_units=2, new_orders=F("new_orders") - 1, completed_orders=1)


@pytest.mark.django_db
def test_importers_and_demo_set_the_counters():
    session = create_session(build_client(), external_id="S-1", source="api")
    spec = ListSpec(name="DHL", orders=[
        OrderSpec(number="#1", lines=[LineSpec(sku="A", required=2), LineSpec(sku="B",
                                                                             required=1)]),
        OrderSpec(number="#2", lines=[LineSpec(sku="C", required=4)]),
        OrderSpec(number="#3", lines=[]),
    ])
    packing_list = import_list(session, spec)
    assert packing_list.order_count == 3 and packing_list.required_units == 7
    assert stored(packing_list) == from_rows(packing_list)
    assert stored(packing_list)["new_orders"] == 3

    load_demo()
    for demo_list in PackingList.objects.filter(session__info__demo=True):
        assert stored(demo_list) == from_rows(demo_list)
        assert demo_list.order_count == 15 and demo_list.required_units > 0


@pytest.mark.django_db
def test_verify_counters_reports_a_list_counter_that_left_the_log():
    claim = claimed(build_list({"O-1": [("A", 2)]}))
    for code in ("O-1", "A", "ZZZ"):
        scan(claim.list_id, token=claim.token, code=code)
    call_command("verify_counters", "--list", str(claim.list_id), stdout=StringIO())
    PackingList.objects.filter(pk=claim.list_id).update(wrong_scans=0)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_counters", "--list", str(claim.list_id), stdout=out)
    assert "list wrong_scans: log says 1, counters say 0" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_counters_of_existing_lists():
    before = [("packing_sessions", "0003_scan_outcome_vocabulary")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    client = apps.get_model("profiles", "Client").objects.create(code="OLD", name="Old")
    session = apps.get_model("packing_sessions", "PackingSession").objects.create(
        client=client, external_id="old", source="excel")
    old_list = apps.get_model("packing_sessions", "PackingList").objects.create(
        session=session, name="L")
    Order = apps.get_model("packing_sessions", "Order")
    OrderItem = apps.get_model("packing_sessions", "OrderItem")
    first = Order.objects.create(packing_list=old_list, number="1", normalized_number="1",
                                 status="in_progress")
    Order.objects.create(packing_list=old_list, number="2", normalized_number="2",
                         status="skipped")
    OrderItem.objects.create(order=first, line_number=1, sku="A", normalized_sku="a",
                             required=3, packed=2)
    apps.get_model("packing_sessions", "ScanEvent").objects.create(
        packing_list=old_list, order=first, action="scan", outcome="unknown_item")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert stored(old_list) == {
        "order_count": 2, "new_orders": 0, "in_progress_orders": 1, "completed_orders": 0,
        "skipped_orders": 1, "needs_review_orders": 0, "required_units": 3, "packed_units": 2,
        "wrong_scans": 1,
    }
