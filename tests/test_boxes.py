"""Several boxes per order (issue 13): "New box" closes the current box and opens the next;
scanned units go into the current box, undo takes a unit out of the box it went into, replay
rebuilds the boxes from the log, and an order in one box looks exactly as before."""

import pytest

from sessions.errors import InvalidAction, InvalidRequest
from sessions.models import OrderBox, OrderItem, ScanEvent
from sessions.reads.boxes import order_boxes
from sessions.replay import replay_counters, stored_counters
from sessions.scanning.codes import perform_action, scan
from tests.builders import build_list, claimed

pytestmark = pytest.mark.django_db


@pytest.fixture
def st():
    claim = claimed(build_list({"O-1": [("A", 2), ("B", 2)], "O-2": [("C", 1)]}))
    scan(claim.list_id, token=claim.token, code="O-1")
    return claim


def do(claim, code):
    return scan(claim.list_id, token=claim.token, code=code)


def act(claim, action, **kwargs):
    return perform_action(claim.list_id, token=claim.token, action=action, **kwargs)


def line(sku):
    return OrderItem.objects.get(sku=sku)


def contents(answer):
    return {b["number"]: {x["sku"]: x["units"] for x in b["lines"]}
            for b in answer["order"]["boxes"]}


def test_one_box_looks_as_before(st):
    answer = do(st, "A")
    assert answer["order"]["box_count"] == 1
    assert contents(answer) == {1: {"A": 1}}
    assert ScanEvent.objects.filter(action="scan", item__isnull=False).get().box is None
    assert not OrderBox.objects.exists()


def test_an_empty_box_is_not_closed_and_no_order_no_box(st):
    with pytest.raises(InvalidAction):
        act(st, "new_box")
    do(st, "A")
    with pytest.raises(InvalidRequest):
        act(st, "new_box", weight="-1")
    act(st, "new_box")
    with pytest.raises(InvalidAction):
        act(st, "new_box")  # box 2 is empty


def test_new_box_then_units_go_into_the_new_box_and_undo_takes_from_its_box(st):
    do(st, "A")
    answer = act(st, "new_box", weight="1,25")
    assert answer["outcome"] == "box_opened"
    assert (answer["box"], answer["box_closed"]) == (2, 1)
    assert answer["order"]["box_count"] == 2
    box1 = OrderBox.objects.get(number=1)
    assert str(box1.weight_kg) == "1.250" and box1.closed_at is not None
    do(st, "A")
    answer = do(st, "B")
    assert contents(answer) == {1: {"A": 1}, 2: {"A": 1, "B": 1}}
    assert answer["order"]["boxes"][0]["weight_kg"] == "1.250"
    assert answer["order"]["boxes"][0]["closed"] is True
    # Undo of A takes the unit of box 2 (the last packed), the next one the unit of box 1.
    answer = act(st, "undo", item=line("A").pk)
    assert contents(answer) == {1: {"A": 1}, 2: {"B": 1}}
    answer = act(st, "undo", item=line("A").pk)
    assert contents(answer) == {1: {}, 2: {"B": 1}}
    assert list(ScanEvent.objects.filter(action="undo").values_list("box", flat=True)) == [2, 1]
    do(st, "A")
    do(st, "A")
    answer = do(st, "B")
    assert answer["outcome"] == "order_complete"
    assert contents(answer) == {1: {}, 2: {"A": 2, "B": 2}}
    plist = st.packing_list
    plist.refresh_from_db()
    assert replay_counters(plist) == stored_counters(plist)
    order = plist.orders.get(number="O-1")
    assert {n: b["units"] for n, b in order_boxes(order).items()} == {1: 0, 2: 4}


def test_replay_counts_the_boxes(st):
    do(st, "A")
    act(st, "new_box")
    do(st, "B")
    act(st, "new_box")
    plist = st.packing_list
    plist.refresh_from_db()
    replayed = replay_counters(plist)
    assert replayed["orders"][plist.orders.get(number="O-1").pk]["box_count"] == 3
    assert replayed == stored_counters(plist)


def test_the_completion_report_has_a_box_column_per_line(st):
    import io

    from openpyxl import load_workbook

    from sessions.reports import completion_report

    do(st, "A")
    act(st, "new_box")
    do(st, "A")
    do(st, "B")
    do(st, "B")  # completes O-1: A in boxes 1 and 2, B in box 2
    do(st, "O-2")
    do(st, "C")
    plist = st.packing_list
    plist.refresh_from_db()
    ws = load_workbook(io.BytesIO(completion_report(plist))).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = rows[0]
    box = {r[header.index("SKU")]: r[header.index("Box")] for r in rows[1:]}
    assert box == {"A": "1: 1; 2: 1", "B": "2: 2", "C": "1"}
