"""Property test (scenario 26 and the counter invariants): whatever a packer does, in any order,
0 <= packed <= required on every line, and replaying the scan log reproduces every counter,
the list's own counters on its row included."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions import counters
from sessions.errors import PackingError
from sessions.models import OrderItem
from sessions.replay import replay_counters, stored_counters
from sessions.scanning.codes import perform_action, resolve_review, scan
from tests.builders import FILL, build_list, build_user, claimed, supervisor_approval

ORDERS = {
    "O-1": [("SKU-A", 2), ("SKU-B", 1), ("SKU-A", 1)],
    "#1002": [("SKU-C", 1), ("SKU-A", 1)],
    "O-3": [("SKU-D", 3)],
}
CODES = ["O-1", "#1002", "1002", "O-3", "sku-a", "SKU-B", "SKU-C", "skud", "ZZZ", "!!"]
LINES = 6  # lines in ORDERS
APPROVAL = []  # the supervisor approving "Confirm all" in the current example

operations = st.one_of(
    st.tuples(st.just("scan"), st.sampled_from(CODES)),
    st.tuples(st.sampled_from(["undo", "confirm", "force_confirm"]), st.integers(0, LINES - 1)),
    st.tuples(st.just("skip"), st.none()),
    st.tuples(st.sampled_from(["keep_extra", "remove_extra"]),
              st.sampled_from(["SKU-A", "SKU-B", "SKU-C", "SKU-D"])),
    st.tuples(st.just("reopen"), st.integers(0, 2)),
    st.tuples(st.just("flag"), st.sampled_from(["short", "damaged", "wrong_stock"])),
    st.tuples(st.sampled_from(["review_reopen", "review_complete"]), st.integers(0, 2)),
)


def apply(claim, items, op, arg, supervisor, scan_id):
    try:
        if op == "scan":
            return scan(claim.list_id, token=claim.token, code=arg, scan_id=scan_id)
        if op in ("undo", "confirm", "force_confirm"):
            return perform_action(claim.list_id, token=claim.token, action=op,
                                  item=items[arg].pk, scan_id=scan_id, approver=APPROVAL[0],
                                  **FILL)
        if op == "flag":
            return perform_action(claim.list_id, token=claim.token, action="flag", reason=arg,
                                  scan_id=scan_id)
        if op.startswith("review_"):
            order_id = items[[0, 3, 5][arg]].order_id
            return resolve_review(order_id, supervisor=APPROVAL[0].worker,
                                  resolution=op.removeprefix("review_"), note="checked",
                                  scan_id=scan_id)
        if op in ("keep_extra", "remove_extra"):
            return perform_action(claim.list_id, token=claim.token, action=op, sku=arg,
                                  scan_id=scan_id)
        if op == "reopen":
            order_id = items[[0, 3, 5][arg]].order_id
            return perform_action(claim.list_id, token=claim.token, action="reopen",
                                  order=order_id, by_user=supervisor, scan_id=scan_id)
        return perform_action(claim.list_id, token=claim.token, action="skip", scan_id=scan_id)
    except PackingError:
        return None  # refused actions change nothing; the invariants below still hold


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operations, min_size=1, max_size=30), retry_every=st.integers(2, 7))
def test_s26_any_sequence_keeps_bounds_and_replay_reproduces_every_counter(ops, retry_every):
    claim = claimed(build_list(ORDERS))
    supervisor = build_user(role="supervisor")
    APPROVAL[:] = [supervisor_approval()]
    items = list(OrderItem.objects.filter(order__packing_list_id=claim.list_id)
                 .order_by("order__sequence", "line_number"))
    all_done = 0
    for n, (op, arg) in enumerate(ops):
        answer = apply(claim, items, op, arg, supervisor, scan_id=f"op-{n}")
        if answer and n % retry_every == 0:  # a station retry: same answer, nothing re-applied
            retry = apply(claim, items, op, arg, supervisor, scan_id=f"op-{n}")
            assert retry["duplicate"] is True and retry["outcome"] == answer["outcome"]
        all_done += bool(answer and answer["all_done"] and not answer["duplicate"])
        for item in OrderItem.objects.filter(order__packing_list_id=claim.list_id):
            assert 0 <= item.packed <= item.required
    assert all_done <= 1
    # The log rebuilds every counter, the list's own included (orders by status, units, wrong
    # scans), and the list's counters also agree with its rows.
    assert replay_counters(claim.packing_list) == stored_counters(claim.packing_list)
    assert counters.stored(claim.list_id) == counters.counted([claim.list_id])[claim.list_id]


@pytest.mark.django_db
def test_s26_replay_of_a_known_day_and_a_tampered_counter_is_detected():
    claim = claimed(build_list(ORDERS))
    items = list(OrderItem.objects.filter(order__packing_list_id=claim.list_id)
                 .order_by("order__sequence", "line_number"))
    for code in ("O-1", "SKU-A", "SKU-A", "SKU-A", "SKU-A", "ZZZ", "1002"):
        scan(claim.list_id, token=claim.token, code=code)
    perform_action(claim.list_id, token=claim.token, action="undo", item=items[0].pk)
    perform_action(claim.list_id, token=claim.token, action="force_confirm", item=items[1].pk,
                   approver=supervisor_approval(), **FILL)
    perform_action(claim.list_id, token=claim.token, action="remove_extra", sku="SKU-A")
    replayed = replay_counters(claim.packing_list)
    assert replayed == stored_counters(claim.packing_list)
    o1 = replayed["orders"][items[0].order_id]
    assert (o1["corrections"], o1["unknown_scans"], o1["extra_scans"],
            o1["manual_confirmations"], o1["status"]) == (1, 1, 1, 1, "in_progress")
    assert [replayed["items"][i.pk] for i in items[:3]] == [1, 1, 1]
    OrderItem.objects.filter(pk=items[0].pk).update(packed=2)
    assert replay_counters(claim.packing_list) != stored_counters(claim.packing_list)


@pytest.mark.django_db
def test_verify_counters_command_reports_tampering():
    from io import StringIO

    from django.core.management import CommandError, call_command

    claim = claimed(build_list(ORDERS))
    for code in ("O-1", "SKU-A", "SKU-B"):
        scan(claim.list_id, token=claim.token, code=code)
    out = StringIO()
    call_command("verify_counters", "--list", str(claim.list_id), stdout=out)
    assert "matches" in out.getvalue()
    item = OrderItem.objects.get(sku="SKU-B")
    OrderItem.objects.filter(pk=item.pk).update(packed=0)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_counters", "--list", str(claim.list_id), stdout=out)
    assert f"items {item.pk}: log says 1, counters say 0" in out.getvalue()
