"""The scan path's plain-SQL reads and writes (sessions/scanning/sql.py, and the list counters
they keep on the list's row) give the same rows, instances and figures as the ORM would, and
refuse impossible ids cleanly."""

import pytest
from django.db import connection
from django.utils import timezone

from sessions.errors import NotFound
from sessions.models import Order, OrderItem, PackingList
from sessions.reads.payloads import list_counters
from sessions.scanning.codes import perform_action, scan
from sessions.scanning.sql import lock_list
from tests.api_helpers import token_client
from tests.builders import add_order, build_list, build_user, claimed

pytestmark = pytest.mark.django_db

HUGE = 2**63  # one more than the largest bigint id


def counters_from_rows(packing_list):
    """The list counters recomputed in Python from the rows (the reference)."""
    orders = list(Order.objects.filter(packing_list=packing_list))
    items = list(OrderItem.objects.filter(order__packing_list=packing_list))
    by_status = {s: sum(1 for o in orders if o.status == s) for s in Order.Status.values}
    return {
        "orders": len(orders), "required_units": sum(i.required for i in items),
        "packed_units": sum(i.packed for i in items),
        "completed_orders": by_status["completed"], "skipped_orders": by_status["skipped"],
        "in_progress_orders": by_status["in_progress"], "new_orders": by_status["new"],
        "needs_review_orders": by_status["needs_review"],
    }


def row_counters(packing_list):
    return list_counters(PackingList.objects.get(pk=packing_list.pk))


def test_list_counters_match_the_rows_for_every_status_and_several_lists():
    first = build_list({"O-1": [("A", 2), ("B", 1)], "O-2": [("A", 1)], "O-3": [("C", 3)],
                        "O-4": [("D", 1)]})
    add_order(first, "O-EMPTY", [])  # an order without lines counts as an order, with no units
    claim = claimed(first)
    for code in ("O-1", "A", "A", "B", "O-2"):
        scan(claim.list_id, token=claim.token, code=code)
    perform_action(claim.list_id, token=claim.token, action="skip")
    scan(claim.list_id, token=claim.token, code="O-3")
    scan(claim.list_id, token=claim.token, code="C")
    second = build_list({"P-1": [("X", 5)]})
    empty = build_list()

    counters = {pl.pk: row_counters(pl) for pl in (first, second, empty)}

    assert counters[first.pk] == counters_from_rows(first)
    assert counters[first.pk]["completed_orders"] == 1
    assert counters[first.pk]["skipped_orders"] == 1
    assert counters[first.pk]["in_progress_orders"] == 1
    assert counters[first.pk]["new_orders"] == 2
    assert counters[first.pk]["packed_units"] == 4
    assert counters[second.pk] == counters_from_rows(second)
    assert counters[empty.pk] == counters_from_rows(empty)
    assert counters[empty.pk]["orders"] == 0


def test_locked_list_carries_session_client_holder_and_station_in_one_query(
    django_assert_num_queries,
):
    claim = claimed(build_list({"O-1": [("A", 1)]}))
    with django_assert_num_queries(1):
        packing_list = lock_list(claim.list_id)
        assert packing_list.holder.display_name == claim.worker.display_name
        assert packing_list.station.name == claim.station.name
        assert packing_list.session.client.code == claim.packing_list.session.client.code
        assert packing_list.session.external_id == claim.packing_list.session.external_id
    stored = PackingList.objects.get(pk=claim.list_id)
    assert packing_list.claim_token == stored.claim_token
    assert packing_list.heartbeat_at == stored.heartbeat_at
    assert timezone.is_aware(packing_list.claimed_at)
    assert packing_list.info == stored.info and packing_list.source_columns == stored.source_columns


def test_free_list_has_no_holder_or_station():
    packing_list = build_list({"O-1": [("A", 1)]})
    locked = lock_list(packing_list.pk)
    assert locked.holder is None and locked.station is None


@pytest.mark.parametrize("list_id", [HUGE, -1, 0, "abc", None])
def test_impossible_list_ids_are_not_found(list_id):
    with pytest.raises(NotFound):
        lock_list(list_id)


def test_impossible_order_id_is_not_found_and_the_station_can_go_on():
    claim = claimed(build_list({"O-1": [("A", 1)]}))
    with pytest.raises(NotFound):
        perform_action(claim.list_id, token=claim.token, action="skip", order=HUGE)
    # The refused action left the transaction usable: the next scan works.
    assert scan(claim.list_id, token=claim.token, code="O-1")["outcome"] == "order_loaded"


def test_token_auth_reads_user_and_floor_role_and_refuses_inactive_users():
    packer = build_user(role="packer")
    visitor = build_user()
    assert token_client(packer).get("/api/v1/clients/").status_code == 200
    assert token_client(visitor).get("/api/v1/clients/").status_code == 403  # no floor role
    client = token_client(packer)
    packer.is_active = False
    packer.save(update_fields=["is_active"])
    assert client.get("/api/v1/clients/").status_code == 401


@pytest.mark.postgres
def test_scan_statements_are_prepared_on_postgres_and_the_cursor_class_is_restored():
    claim = claimed(build_list({"O-1": [("A", 9)]}))
    scan(claim.list_id, token=claim.token, code="O-1")
    for _ in range(4):
        scan(claim.list_id, token=claim.token, code="A")
    import psycopg

    pg = connection.connection
    assert pg.cursor_factory is not psycopg.Cursor  # Django's ClientCursor again after the scan
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("FOR UPDATE" in statement for statement in prepared)
    assert any("packing_sessions_scanevent" in statement for statement in prepared)
