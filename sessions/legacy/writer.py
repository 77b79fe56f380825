"""Writing one planned session: PackingSession, lists, orders, lines, extras and the scan log.

Counters are a cache of the ScanEvent log (design.md), so every packed unit written here has an
event: the old app's scan records where the files kept them (action=scan / force_confirm, at
their own time, never more than the line still needed), and one `import` event per line for
units the files prove but whose scans were not kept. Records that contradict the list (another
order's item, over-scans beyond the requirement) are logged with quantity 0 and outcome
`legacy_discarded`, so nothing the files said is lost and no counter is inflated. Quality
counters get events that sessions.replay counts: a zero-quantity undo per correction, an
unknown_item per unknown scan, an extra_item per over-scan still pending. Over-scans the old app
had already resolved (keep/remove was never recorded, nor their SKU) stay in the order's
metadata (`legacy.extra_scans`) rather than inventing a decision.
"""

from profiles.models import Station
from profiles.normalize import normalize_order_number, normalize_sku
from sessions.counters import recount
from sessions.legacy.fastinsert import insert_rows
from sessions.legacy.timestamps import parse_ts
from sessions.legacy.workers import ensure_worker
from sessions.models import (
    Order,
    OrderExtra,
    OrderItem,
    PackingList,
    PackingSession,
    ScanEvent,
)
from sessions.outcomes import Outcome

# Plain values: these rows go through raw INSERTs (fastinsert), not the ORM.
IMPORTED = Outcome.IMPORTED.value
DISCARDED = Outcome.LEGACY_DISCARDED.value


class Actors:
    """Workers (by legacy id) and stations (by old PC name), created on first use."""

    def __init__(self):
        self.workers = {}
        self.stations = {}

    def forget(self):
        self.workers.clear()
        self.stations.clear()

    def worker(self, legacy_id, name=""):
        if not legacy_id:
            return None
        if legacy_id not in self.workers:
            self.workers[legacy_id] = ensure_worker(legacy_id, name or legacy_id)[0]
        return self.workers[legacy_id]

    def station(self, pc_name):
        if not pc_name or pc_name == "Unknown":
            return None
        if pc_name not in self.stations:
            self.stations[pc_name] = Station.objects.get_or_create(
                name=pc_name[:100],
                defaults={"description": "Packing PC of the old app (legacy import)",
                          "active": False},
            )[0]
        return self.stations[pc_name]


def _record_item(order, record):
    """The line a scan record filled: same row and SKU, else the first same-SKU line with room."""
    nsku = normalize_sku(record.get("sku") or "")
    same = [i for i in order.items if i.nsku == nsku]
    row = record.get("row")
    if row is not None:
        same.sort(key=lambda i: i.extra.get("legacy_row") != row)
    return same


def _events_for_order(plan, tz, fallback):
    """(item plan or None, ScanEvent kwargs) pairs replaying exactly to the planned counters."""
    events = []
    when_start = plan.started_at or plan.completed_at or plan.skipped_at or fallback
    if plan.status != "new":
        events.append((None, dict(action="scan", outcome=Outcome.ORDER_LOADED.value,
                                  raw_code=plan.number, created_at=when_start)))
    for nsku, pending in plan.extras.items():
        # Before the units: pending over-scans keep the order open once its lines are full.
        line = next(i for i in plan.items if i.nsku == nsku)
        events += [(line, dict(action="scan", outcome=Outcome.EXTRA_ITEM.value,
                               raw_code=line.sku, created_at=when_start))] * pending
    logged = {id(i): 0 for i in plan.items}
    for record in plan.records:
        at = parse_ts(record.get("scanned_at"), tz) or when_start
        units = int(record.get("quantity") or 1) if plan.records_are_units else 1
        forced = record.get("confirmation_method") == "force_confirmed"
        left = units
        for item in _record_item(plan, record):
            room = item.packed - logged[id(item)]
            take = min(room, left)
            if take > 0:
                logged[id(item)] += take
                left -= take
                events.append((item, dict(
                    action="force_confirm" if forced else "scan", manual=forced,
                    outcome=Outcome.FORCE_CONFIRMED.value if forced else Outcome.ITEM_OK.value,
                    raw_code=str(record.get("sku") or ""), quantity=take,
                    created_at=at, response={"legacy_record": record})))
            if not left:
                break
        if left:
            events.append((None, dict(action="import", outcome=DISCARDED,
                                      raw_code=str(record.get("sku") or ""), created_at=at,
                                      response={"legacy_record": record,
                                                "reason": "more units than the list requires"})))
    end = plan.completed_at or plan.skipped_at or when_start
    for item in plan.items:
        gap = item.packed - logged[id(item)]
        if gap > 0:
            events.append((item, dict(action="import", outcome=IMPORTED, raw_code=item.sku,
                                      quantity=gap, created_at=end)))
    first_line = plan.items[0] if plan.items else None
    if first_line is not None:
        # An old undo removed its scan record, so the pair (+1, -1) is already netted out of
        # the records: a zero-quantity undo keeps the correction countable.
        events += [(first_line, dict(action="undo", outcome=Outcome.UNDONE.value, quantity=0,
                                     created_at=end))] * plan.corrections
    events += [(None, dict(action="import", outcome=Outcome.UNKNOWN_ITEM.value,
                           created_at=end))] * plan.unknown_scans
    if plan.status == "completed":
        events.append((None, dict(action="import", outcome=Outcome.ORDER_COMPLETE.value,
                                  raw_code=plan.number, created_at=plan.completed_at)))
    elif plan.status == "skipped":
        events.append((None, dict(action="skip", outcome=Outcome.SKIPPED.value,
                                  raw_code=plan.number, created_at=plan.skipped_at or end)))
    return events


def _manual_count(events):
    return sum(1 for _item, kw in events if kw.get("action") == "force_confirm")


def write_session(sp, client, lists, actors, tz, existing=None):
    """Create (or, given the `existing` PackingSession, extend) the session of `sp` with the
    given ListPlans. Caller holds the transaction; returns the PackingSession."""
    if existing is None:
        done = all(lp.status == "completed" for lp in lists) and bool(lists)
        session = PackingSession.objects.create(
            client=client, external_id=sp.external_id, source=PackingSession.Source.LEGACY,
            source_path=sp.rel_path[:1000], info=sp.info, created_at=sp.created_at,
            status=PackingSession.Status.COMPLETED if done else PackingSession.Status.OPEN,
            completed_at=max((lp.ended_at for lp in lists if lp.ended_at), default=None)
            if done else None,
        )
    else:
        session = existing
    if lists:
        _write_lists(session, lists, actors, tz, sp.created_at)
    if existing is not None:
        _refresh_status(session)
    return session


def _refresh_status(session):
    rows = list(session.lists.values_list("status", "ended_at"))
    if rows and all(st == PackingList.Status.COMPLETED for st, _ in rows):
        session.status = PackingSession.Status.COMPLETED
        session.completed_at = max((t for _, t in rows if t), default=None)
    else:
        session.status = PackingSession.Status.OPEN
        session.completed_at = None
    session.save(update_fields=["status", "completed_at"])


def _write_lists(session, lps, actors, tz, fallback):
    """All new lists of one session in a few statements: lists, then their orders, lines,
    extras and scan events, each as one bulk insert (ids read back by natural key)."""
    lists = PackingList.objects.bulk_create([_list_row(session, lp, actors, fallback)
                                             for lp in lps])
    pairs = list(zip(lists, lps))
    order_rows, events_of = [], []
    for plist, lp in pairs:
        worker, station = actors.worker(lp.worker_id, lp.worker_name), actors.station(lp.pc_name)
        for op in lp.orders:
            events = _events_for_order(op, tz, fallback)
            events_of.append(events)
            order_rows.append(_order_row(plist, op, events, worker, station))
    insert_rows(Order, order_rows)
    list_ids = [pl.pk for pl in lists]
    order_ids = {(pl, n): pk for pl, n, pk in Order.objects.filter(
        packing_list_id__in=list_ids).values_list("packing_list_id", "normalized_number", "id")}
    orders = [order_ids[(row["packing_list_id"], row["normalized_number"])] for row in order_rows]
    all_ops = [(plist, lp, op) for plist, lp in pairs for op in lp.orders]
    insert_rows(OrderItem, [
        dict(order_id=order_id, line_number=ip.line_number, source_row=ip.source_row,
             sku=ip.sku[:200], normalized_sku=ip.nsku[:200], product_name=ip.product_name[:500],
             required=ip.required, packed=ip.packed, extra_columns=ip.extra)
        for order_id, (_pl, _lp, op) in zip(orders, all_ops) for ip in op.items
    ])
    item_ids = {(o, n): pk for o, n, pk in OrderItem.objects.filter(
        order__packing_list_id__in=list_ids).values_list("order_id", "line_number", "id")}
    extras, scan_rows = [], []
    for order_id, (plist, lp, op), events in zip(orders, all_ops, events_of):
        worker, station = actors.worker(lp.worker_id, lp.worker_name), actors.station(lp.pc_name)
        for nsku, pending in op.extras.items():
            line = next(i for i in op.items if i.nsku == nsku)
            extras.append(dict(order_id=order_id, normalized_sku=nsku[:200], sku=line.sku[:200],
                               pending=pending))
        for item_plan, kw in events:
            scan_rows.append(dict(
                kw, packing_list_id=plist.pk, order_id=order_id,
                item_id=item_ids[(order_id, item_plan.line_number)] if item_plan else None,
                worker_id=worker.pk if worker else None,
                station_id=station.pk if station else None,
                raw_code=kw.get("raw_code", "")[:500],
            ))
    insert_rows(OrderExtra, extras)
    insert_rows(ScanEvent, scan_rows)
    recount(list_ids)  # the lists' counters, from the rows and events just written


def _list_row(session, lp, actors, fallback):
    done = lp.status == "completed"
    return PackingList(
        session=session, name=lp.name[:300], position=lp.position, status=lp.status,
        source_file=str(lp.source.path or "")[:1000], source_columns=lp.source.columns,
        info=dict(lp.info, legacy_source=lp.source.kind), created_at=fallback,
        started_at=lp.started_at if lp.status != "not_started" else None, ended_at=lp.ended_at,
        all_done_announced=done,
        ended_by=actors.worker(lp.worker_id, lp.worker_name) if done else None,
    )


def _order_row(plist, op, events, worker, station):
    first_item = min((kw["created_at"] for item, kw in events if item is not None
                      and kw["action"] != "import"), default=None)
    src, done = op.src, op.status == "completed"
    return dict(
        packing_list_id=plist.pk, number=src.number[:200],
        normalized_number=normalize_order_number(src.number)[:200], sequence=op.sequence,
        courier=src.courier[:100], country=src.country[:100], order_type=src.order_type[:50],
        tags=src.tags, internal_tags=src.internal_tags, notes=src.notes,
        system_note=src.system_note, box=src.box[:100],
        metadata=dict(src.metadata, **({"legacy": op.legacy} if op.legacy else {})),
        status=op.status, started_at=op.started_at or (op.completed_at if done else None),
        first_item_at=first_item, completed_at=op.completed_at if done else None,
        skipped_at=op.skipped_at, completed_by_id=worker.pk if done and worker else None,
        completed_station_id=station.pk if done and station else None,
        corrections=op.corrections if op.items else 0, extra_scans=sum(op.extras.values()),
        unknown_scans=op.unknown_scans, manual_confirmations=_manual_count(events),
    )


def known_sessions():
    """{(client id, session id): (PackingSession, source, {list names})} of every session on the
    server, read once per run (the idempotency key: client + session + list name)."""
    known = {}
    for session in PackingSession.objects.all().only("id", "client_id", "external_id", "source",
                                                      "status", "completed_at"):
        known[(session.client_id, session.external_id)] = (session, session.source, set())
    for client_id, external_id, name in PackingList.objects.values_list(
            "session__client_id", "session__external_id", "name"):
        known[(client_id, external_id)][2].add(name)
    return known
