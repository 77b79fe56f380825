"""The scan path runs a fixed, small number of queries, whatever the size of the list or order
(no per-line or per-order loop reaches the database)."""

import pytest

from sessions import outbox
from sessions.scanning.codes import perform_action, scan
from tests.builders import FILL, add_order, build_list, claimed, supervisor_approval

pytestmark = pytest.mark.django_db

# Measured: lock list, retry check, lock order + lines + extras, mapping, update line, update
# list (its heartbeat and counters), update order (when its timing or counters change), insert
# event (+2 savepoints inside the test transaction). No aggregate over the list any more: its
# counters are on its row (issue 9). Before: 13 / 16 / 13, with the list counters' aggregate
# and the "all done" query.
ITEM_SCAN_MAX = 12
COMPLETING_SCAN_MAX = 11
ORDER_SCAN_MAX = 11
# An unknown code also asks whether the client knows it as a product (to name the wrong item,
# issue 11): one indexed query, on unknown scans only.
UNKNOWN_SCAN_MAX = ITEM_SCAN_MAX + 1
# "Confirm all" also reads the client's settings (does it need an approval?) and stores the
# supervisor's approval with its event (+1 savepoint).
FORCE_CONFIRM_EXTRA = 3


def big_list(orders, lines):
    packing_list = build_list()
    for n in range(orders):
        add_order(packing_list, f"O-{n}", [(f"SKU-{k}", 2) for k in range(lines)], sequence=n)
    return claimed(packing_list)


@pytest.mark.parametrize("orders,lines", [(2, 2), (120, 40)])
def test_scan_path_query_count_is_bounded_and_independent_of_size(
    django_assert_max_num_queries, orders, lines
):
    claim = big_list(orders, lines)
    with django_assert_max_num_queries(ORDER_SCAN_MAX):
        assert scan(claim.list_id, token=claim.token, code="O-1", scan_id="a")["outcome"] == \
            "order_loaded"
    with django_assert_max_num_queries(ITEM_SCAN_MAX):
        assert scan(claim.list_id, token=claim.token, code="SKU-0", scan_id="b")["outcome"] == \
            "item_ok"
    with django_assert_max_num_queries(UNKNOWN_SCAN_MAX):
        assert scan(claim.list_id, token=claim.token, code="nope", scan_id="c")["outcome"] == \
            "unknown_item"
    with django_assert_max_num_queries(4):  # a retry: lock, claim check, stored answer
        assert scan(claim.list_id, token=claim.token, code="SKU-0", scan_id="b")["duplicate"]


def test_completing_scan_and_force_confirm_are_bounded(django_assert_max_num_queries):
    claim = big_list(30, 3)
    scan(claim.list_id, token=claim.token, code="O-2")
    order = claim.packing_list.orders.get(number="O-2")
    items = list(order.items.order_by("line_number"))
    approval = supervisor_approval()
    claim.packing_list.session.client.settings_or_default()
    for item in items[:2]:
        with django_assert_max_num_queries(ITEM_SCAN_MAX + FORCE_CONFIRM_EXTRA):
            perform_action(claim.list_id, token=claim.token, action="force_confirm",
                           item=item.pk, approver=approval, **FILL)
    scan(claim.list_id, token=claim.token, code="SKU-2")
    # Which clients want webhook events is read once per PACKER_WEBHOOK_CONFIG_SECONDS per
    # process (sessions.outbox), as a running server has it: not part of a scan's cost.
    outbox.WANTED.webhooks(claim.packing_list.session.client_id, "order.completed")
    with django_assert_max_num_queries(COMPLETING_SCAN_MAX):
        answer = scan(claim.list_id, token=claim.token, code="SKU-2")
    assert answer["outcome"] == "order_complete"
