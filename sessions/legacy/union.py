"""Merging the evidence of a run onto the order lines of its list: the plan to write.

The list is the truth for what an order needs; the evidence says how far packing went.
- an order in the completed union is completed: every line packed to its requirement,
  whatever scan records or progress counters claim (the #41371 trap: 8 units recorded where
  the list asks for 5 — never more packed than required);
- an order in the newest state's in-progress block keeps its packed counts, line by line;
- a skipped order stays skipped (it resumes on rescan);
- orders the state knows but the list file lacks (a list regenerated after packing began) are
  added from their item states and named in the list's info.
"""

from dataclasses import dataclass, field

from profiles.normalize import normalize_order_number, normalize_sku
from sessions.imports.specs import LineSpec, OrderSpec
from sessions.legacy.sources import ListSource
from sessions.legacy.timestamps import parse_ts


@dataclass
class ItemPlan:
    line_number: int
    sku: str
    product_name: str
    required: int
    packed: int = 0
    source_row: int = None
    extra: dict = field(default_factory=dict)

    @property
    def nsku(self):
        return normalize_sku(self.sku)


@dataclass
class OrderPlan:
    src: OrderSpec
    sequence: int
    items: list
    status: str = "new"
    started_at: object = None
    first_item_at: object = None
    completed_at: object = None
    skipped_at: object = None
    records: list = field(default_factory=list)  # raw scan records of the old app
    records_are_units: bool = True
    corrections: int = 0
    extra_scans: int = 0
    unknown_scans: int = 0
    extras: dict = field(default_factory=dict)
    legacy: dict = field(default_factory=dict)

    @property
    def number(self):
        return self.src.number


@dataclass
class ListPlan:
    name: str
    position: int
    source: ListSource
    orders: list
    status: str = "not_started"
    started_at: object = None
    ended_at: object = None
    info: dict = field(default_factory=dict)
    worker_id: str = ""
    worker_name: str = ""
    pc_name: str = ""

    def figures(self, client, session):
        """The report row of this list (the same figures the API shows for it)."""
        items = [i for o in self.orders for i in o.items]
        return {
            "client": client, "session": session, "list": self.name,
            "orders": len(self.orders), "lines": len(items),
            "units": sum(i.required for i in items), "packed_units": sum(i.packed for i in items),
            "completed_orders": sum(o.status == "completed" for o in self.orders),
            "skipped_orders": sum(o.status == "skipped" for o in self.orders),
            "state": self.status,
        }


def _items_from_lines(lines):
    """Lines without a SKU were ignored by the old app (never packable) but keep `row` counts."""
    items, skipped = [], []
    for index, line in enumerate(lines):
        if not line.sku:
            skipped.append({"row": index, "product_name": line.product_name,
                            "quantity": line.required})
            continue
        items.append(ItemPlan(line_number=len(items) + 1, sku=line.sku,
                              product_name=line.product_name, required=line.required,
                              source_row=line.source_row,
                              extra=dict(line.extra_columns, legacy_row=index)))
    return items, skipped


def _order_from_states(number, states):
    lines = [LineSpec(sku=str(s.get("original_sku") or s.get("sku")
                              or s.get("normalized_sku") or ""),
                      required=max(int(s.get("required") or 0), 0))
             for s in states]
    return OrderSpec(number=number, lines=lines)


def _apply_states(order, states):
    """Packed counts of in-progress item states onto the order's lines (row, then same SKU)."""
    for index, state in enumerate(states):
        packed = state.get("packed")
        try:
            packed = max(int(packed or 0), 0)
        except (TypeError, ValueError):
            packed = 0
        if not packed:
            continue
        nsku = normalize_sku(state.get("normalized_sku") or state.get("original_sku")
                             or state.get("sku") or "")
        row = state.get("row", index)
        candidates = [i for i in order.items if i.extra.get("legacy_row") == row and i.nsku == nsku]
        candidates += [i for i in order.items if i.nsku == nsku and i not in candidates]
        for item in candidates:
            take = min(packed, item.required - item.packed)
            item.packed += take
            packed -= take
            if not packed:
                break
        if packed:
            order.legacy.setdefault("over_required_units", 0)
            order.legacy["over_required_units"] += packed


def build_list(name, position, source, ev, *, fallback_time):
    """The ListPlan of one run: `source` lines (may be empty) + `ev` evidence."""
    orders, index = [], {}
    for src in source.orders:
        items, skipped_lines = _items_from_lines(src.lines)
        plan = OrderPlan(src=src, sequence=len(orders) + 1, items=items)
        if skipped_lines:
            plan.legacy["lines_without_sku"] = skipped_lines
        orders.append(plan)
        index[normalize_order_number(src.number)] = plan
    added = []

    def ensure(norm, number, states=()):
        if norm not in index:
            src = _order_from_states(number, states)
            items, _ = _items_from_lines(src.lines)
            plan = OrderPlan(src=src, sequence=len(orders) + 1, items=items)
            plan.legacy["not_in_list_file"] = True
            orders.append(plan)
            index[norm] = plan
            added.append(number)
        return index[norm]

    if ev is not None:
        for norm, (number, states) in ev.in_progress.items():
            if norm in ev.completed:
                continue
            plan = ensure(norm, number, states)
            _apply_states(plan, states)
            plan.status = "in_progress"
        for norm, entry in ev.completed.items():
            plan = ensure(norm, entry.number)
            for item in plan.items:
                item.packed = item.required
            plan.status = "completed"
            plan.completed_at = (entry.completed_at or ev.ended_at or ev.last_updated
                                 or fallback_time)
            plan.started_at = entry.started_at
            if entry.timed:
                plan.records = entry.records
                plan.corrections = entry.corrections
                plan.extra_scans = entry.extra_scans
                plan.unknown_scans = entry.unknown_scans
            else:
                plan.legacy["completion_time_estimated"] = entry.completed_at is None
            if entry.raw:
                plan.legacy["completed_entry"] = entry.raw
        for norm, number in ev.skipped.items():
            if norm in ev.completed:
                continue
            plan = ensure(norm, number)
            plan.status = "skipped"
            plan.skipped_at = ev.skipped_at.get(norm) or ev.last_updated or fallback_time
        for norm, at in ev.skipped_at.items():
            if norm in index and index[norm].skipped_at is None:
                index[norm].skipped_at = at
        current = index.get(ev.current_order) if ev.current_order else None
        if current is not None and current.status in {"in_progress", "skipped"}:
            timing = ev.current_timing
            current.records = [r for r in timing.get("items_scanned") or [] if isinstance(r, dict)]
            current.started_at = parse_ts(timing.get("current_order_start_time"),
                                          fallback_time.tzinfo) or current.started_at
            current.corrections = int(timing.get("corrections") or 0)
            current.extra_scans = int(timing.get("extra_scan_count") or 0)
            current.unknown_scans = int(timing.get("unknown_scan_count") or 0)
            lines = {i.nsku for i in current.items}
            current.extras = {normalize_sku(k): v for k, v in ev.extras.items()
                              if v > 0 and normalize_sku(k) in lines}
            lost = {k: v for k, v in ev.extras.items() if v > 0 and normalize_sku(k) not in lines}
            if lost:
                current.legacy["pending_extras_not_on_a_line"] = lost
    for plan in orders:
        if plan.extra_scans:
            plan.legacy["extra_scans"] = plan.extra_scans
        if plan.status == "in_progress" and plan.items and not plan.extras \
                and all(i.packed >= i.required for i in plan.items):
            # Every line full and nothing pending: the old app completed such an order at the
            # next write; a crash came first.
            plan.status = "completed"
            plan.completed_at = (ev.last_updated if ev else None) or fallback_time
            plan.legacy["completed_by_import"] = True
    for plan in orders:
        # Before 2026-02-27 a record's quantity was the line's requirement, repeated per scan.
        plan.records_are_units = any("row" in r or "confirmation_method" in r for r in plan.records)
    lst = ListPlan(name=name, position=position, source=source, orders=orders)
    if added:
        lst.info["orders_not_in_list_file"] = added
    lst.status = _list_status(lst, ev)
    if ev is not None:
        lst.started_at = ev.started_at or min(
            (o.started_at or o.completed_at for o in orders if o.started_at or o.completed_at),
            default=None)
        lst.worker_id, lst.worker_name, lst.pc_name = ev.worker_id, ev.worker_name, ev.pc_name
        if lst.status == "completed":
            lst.ended_at = ev.ended_at or max(
                (o.completed_at for o in orders if o.completed_at), default=fallback_time)
        lst.info["evidence"] = ev.variants
        if ev.progress:
            lst.info["legacy_progress"] = ev.progress
        if ev.summary is not None:
            lst.info["legacy_summary"] = {k: v for k, v in ev.summary.items() if k != "orders"}
    return lst


def _list_status(lst, ev):
    """completed when every order is; in_progress when packing left any trace; else not started.

    A list ended in the old app with orders still open stays resumable here (in_progress),
    because our end of a list is final.
    """
    if not lst.orders:
        return "not_started" if ev is None or not ev.has_any else "in_progress"
    if all(o.status == "completed" for o in lst.orders):
        return "completed"
    if ev is not None and (ev.has_any or any(o.status != "new" for o in lst.orders)):
        return "in_progress"
    return "not_started"
