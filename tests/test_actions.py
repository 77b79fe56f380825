"""Manual actions (scenarios 13–17 and reopen/map/confirm rules)."""

import pytest

from sessions.errors import Forbidden, InvalidAction, InvalidRequest, NotFound
from sessions.models import Order, OrderExtra, OrderItem, PackingList, ScanEvent
from sessions.scanning.codes import perform_action, scan
from tests.builders import FILL, build_list, build_user, claimed, supervisor_approval

pytestmark = pytest.mark.django_db


class Station:
    """A claimed list with short helpers for scans and actions."""

    def __init__(self, orders):
        self.claim = claimed(build_list(orders))

    def scan(self, code, **kwargs):
        return scan(self.claim.list_id, token=self.claim.token, code=code, **kwargs)

    def act(self, action, **kwargs):
        return perform_action(self.claim.list_id, token=self.claim.token, action=action, **kwargs)

    def item(self, sku, number=None):
        qs = OrderItem.objects.filter(order__packing_list_id=self.claim.list_id, sku=sku)
        if number:
            qs = qs.filter(order__number=number)
        return qs.order_by("line_number").first()

    def order(self, number):
        return Order.objects.get(packing_list_id=self.claim.list_id, number=number)


@pytest.fixture
def st():
    return Station({"O-1": [("SKU-A", 2), ("SKU-B", 1)], "O-2": [("SKU-C", 1)]})


def test_s13_undo_removes_one_unit_of_that_line_and_counts_a_correction(st):
    st.scan("O-1")
    st.scan("SKU-A")
    st.scan("SKU-A")
    st.scan("SKU-B")  # would complete: undo before that instead
    st.act("reopen", order=st.order("O-1").pk, by_user=build_user(role="supervisor"))
    answer = st.act("undo", item=st.item("SKU-A").pk)
    assert answer["outcome"] == "undone"
    assert (st.item("SKU-A").packed, st.item("SKU-B").packed) == (1, 1)
    assert st.order("O-1").corrections == 1
    event = ScanEvent.objects.filter(action="undo").get()
    assert (event.quantity, event.item_id, event.manual) == (-1, st.item("SKU-A").pk, True)


def test_s13_undo_at_zero_answers_already_zero(st):
    st.scan("O-1")
    answer = st.act("undo", item=st.item("SKU-B").pk)
    assert answer["outcome"] == "already_zero"
    assert st.order("O-1").corrections == 0
    assert ScanEvent.objects.filter(outcome="already_zero", quantity=0).count() == 1


def test_s13_undo_never_resurrects_a_completed_order(st):
    st.scan("O-2")
    st.scan("SKU-C")
    with pytest.raises(InvalidAction) as refused:
        st.act("undo", item=st.item("SKU-C").pk)
    assert "O-2" in refused.value.message
    assert st.order("O-2").status == Order.Status.COMPLETED
    assert st.item("SKU-C").packed == 1


def test_undo_of_line_in_a_not_open_order_is_refused(st):
    st.scan("O-1")
    with pytest.raises(InvalidAction):
        st.act("undo", item=st.item("SKU-C").pk)
    with pytest.raises(NotFound):
        st.act("undo", item=999999)
    # Without a line, undo takes back this station's newest unit (nothing packed yet here).
    assert st.act("undo", item=None)["outcome"] == "already_zero"


def test_s14_force_confirm_fills_rest_of_line_in_one_manual_event_and_may_complete(st):
    st.scan("O-1")
    st.scan("SKU-B")
    answer = st.act("force_confirm", item=st.item("SKU-A").pk, approver=supervisor_approval(),
                    **FILL)
    assert answer["outcome"] == "force_confirmed"
    assert answer["order_completed"] is True
    assert answer["order"]["status"] == "completed"
    event = ScanEvent.objects.get(action="force_confirm")
    assert (event.quantity, event.manual) == (2, True)
    order = st.order("O-1")
    assert order.manual_confirmations == 1 and order.status == Order.Status.COMPLETED


def test_s14_force_confirm_may_leave_complete_with_extras(st):
    st.scan("O-1")
    st.scan("SKU-B")
    st.scan("SKU-B")  # extra
    approval = supervisor_approval()
    answer = st.act("force_confirm", item=st.item("SKU-A").pk, approver=approval, **FILL)
    assert answer["order_completed"] is False
    assert st.order("O-1").status == Order.Status.IN_PROGRESS
    assert answer["order"]["pending_extras"] == 1
    with pytest.raises(InvalidAction):
        st.act("force_confirm", item=st.item("SKU-A").pk, approver=approval, **FILL)


def test_confirm_one_unit_by_hand_is_manual(st):
    st.scan("O-1")
    answer = st.act("confirm", item=st.item("SKU-A").pk, **FILL)
    assert answer["outcome"] == "confirmed"
    assert st.item("SKU-A").packed == 1
    assert st.order("O-1").manual_confirmations == 1
    assert ScanEvent.objects.get(action="confirm").manual is True
    st.act("confirm", item=st.item("SKU-A").pk, **FILL)
    with pytest.raises(InvalidAction):
        st.act("confirm", item=st.item("SKU-A").pk, **FILL)


def test_s15_unresolved_extra_keeps_order_open_keep_completes_it(st):
    st.scan("O-1")
    for code in ("SKU-B", "SKU-B", "SKU-B", "SKU-A", "SKU-A"):
        answer = st.scan(code)
    assert answer["outcome"] == "complete_with_extras"
    assert st.order("O-1").status == Order.Status.IN_PROGRESS
    kept = st.act("keep_extra", sku="sku-b")
    assert kept["outcome"] == "extra_kept"
    assert kept["order_completed"] is True
    extra = OrderExtra.objects.get()
    assert (extra.pending, extra.kept, extra.removed) == (0, 2, 0)
    assert st.order("O-1").status == Order.Status.COMPLETED


def test_s15_remove_takes_back_one_unit_at_a_time(st):
    st.scan("O-1")
    for code in ("SKU-B", "SKU-B", "SKU-B", "SKU-A", "SKU-A"):
        st.scan(code)
    first = st.act("remove_extra", item=st.item("SKU-B").pk)
    assert first["outcome"] == "extra_removed" and first["order_completed"] is False
    assert OrderExtra.objects.get().pending == 1
    second = st.act("remove_extra", sku="SKU-B")
    assert second["order_completed"] is True
    extra = OrderExtra.objects.get()
    assert (extra.pending, extra.removed) == (0, 2)
    assert st.item("SKU-B").packed == 1  # the line itself is untouched


def test_keep_or_remove_without_pending_extra_is_refused(st):
    st.scan("O-1")
    with pytest.raises(InvalidAction):
        st.act("keep_extra", sku="SKU-A")
    with pytest.raises(InvalidAction):
        st.act("remove_extra", sku="SKU-A")


def test_s16_skip_keeps_counts_resume_is_exact_and_skipped_not_counted_as_packed(st):
    st.scan("O-1")
    st.scan("SKU-A")
    st.scan("zzz")
    answer = st.act("skip")
    assert answer["outcome"] == "skipped"
    order = st.order("O-1")
    assert order.status == Order.Status.SKIPPED and order.skipped_at is not None
    assert answer["list"]["skipped_orders"] == 1
    assert answer["list"]["completed_orders"] == 0
    assert answer["list"]["open_order"] is None
    resumed = st.scan("O-1")
    assert resumed["outcome"] == "order_loaded" and resumed["resumed"] is True
    assert [i["packed"] for i in resumed["order"]["items"]] == [1, 0]
    assert resumed["order"]["unknown_scans"] == 1
    assert st.order("O-1").status == Order.Status.IN_PROGRESS


def test_skip_needs_an_order_and_never_a_completed_one(st):
    with pytest.raises(InvalidAction):
        st.act("skip")
    st.scan("O-2")
    st.scan("SKU-C")
    with pytest.raises(InvalidAction):
        st.act("skip", order=st.order("O-2").pk)
    assert st.act("skip", order=st.order("O-1").pk)["outcome"] == "skipped"
    with pytest.raises(InvalidAction):
        st.act("skip", order=st.order("O-1").pk)


def test_s17_all_done_announced_exactly_once(st):
    st.scan("O-1")
    st.act("skip")
    st.scan("O-2")
    answers = [st.scan("SKU-C")]
    assert answers[-1]["all_done"] is True
    assert PackingList.objects.get().all_done_announced is True
    answers.append(st.scan("O-1"))
    answers.append(st.act("skip"))
    answers.append(st.scan("O-2"))
    assert [a["all_done"] for a in answers] == [True, False, False, False]


def test_reopen_is_for_supervisors_and_reopens_completed_order(st):
    st.scan("O-2")
    st.scan("SKU-C")
    order_id = st.order("O-2").pk
    with pytest.raises(Forbidden):
        st.act("reopen", order=order_id, by_user=st.claim.worker.user)
    answer = st.act("reopen", order=order_id, by_user=build_user(role="supervisor"))
    assert answer["outcome"] == "reopened"
    order = st.order("O-2")
    assert order.status == Order.Status.IN_PROGRESS and order.completed_at is None
    assert PackingList.objects.get().open_order_id == order_id
    assert st.act("undo", item=st.item("SKU-C").pk)["outcome"] == "undone"
    with pytest.raises(InvalidAction):
        st.act("reopen", order=st.order("O-1").pk, by_user=build_user(role="supervisor"))


def test_map_requires_barcode_and_sku_and_updates_existing(st):
    with pytest.raises(InvalidRequest):
        st.act("map", barcode="!!", sku="SKU-A")
    with pytest.raises(InvalidRequest):
        st.act("map", barcode="123", sku=" ")
    st.act("map", barcode="123", sku="SKU-A")
    answer = st.act("map", barcode="0123", sku="SKU-B")  # different barcode: new mapping
    assert answer["mapping"]["previous_sku"] is None
    answer = st.act("map", barcode="123", sku="SKU-B", approver=supervisor_approval())
    assert answer["mapping"]["previous_sku"] == "SKU-A"


def test_unknown_action_is_a_clear_error(st):
    with pytest.raises(InvalidRequest) as refused:
        st.act("explode")
    assert "confirm" in refused.value.message
