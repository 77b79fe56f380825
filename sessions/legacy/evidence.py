"""Everything the share says about one packing run, read from every file that carries it.

A run is a Shape-C work dir (`packing/{LIST}/`) or a Shape-A Excel session folder. Its state
file, the state's `.backup`, the session summary and the completed xlsx each hold part of the
truth (legacy-formats.md §19.4): the completed set is their union, the newest state gives the
in-progress item states, and real timestamps come only from timed entries.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone as dj_tz

from profiles.normalize import normalize_order_number
from sessions.legacy.jsonio import read_json_or_none
from sessions.legacy.timestamps import parse_ts
from sessions.legacy.xlsx import read_table


@dataclass
class CompletedEntry:
    number: str
    completed_at: object = None
    started_at: object = None
    timed: bool = False
    records: list = field(default_factory=list)
    corrections: int = 0
    extra_scans: int = 0
    unknown_scans: int = 0
    raw: dict = field(default_factory=dict)
    rank: int = 0


@dataclass
class RunEvidence:
    completed: dict = field(default_factory=dict)  # normalised number -> CompletedEntry
    in_progress: dict = field(default_factory=dict)  # normalised -> (number, [item states])
    current_order: str = None  # normalised number of progress.in_progress_order
    current_timing: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)  # normalised sku -> pending over-scans
    skipped: dict = field(default_factory=dict)  # normalised -> number
    skipped_at: dict = field(default_factory=dict)  # normalised -> datetime
    started_at: object = None
    last_updated: object = None
    ended_at: object = None
    pc_name: str = ""
    worker_id: str = ""
    worker_name: str = ""
    summary: dict = None
    progress: dict = field(default_factory=dict)
    variants: dict = field(default_factory=dict)  # path -> variant tag
    report_rows: list = None  # rows of the completed xlsx
    report_headers: list = None
    report_path: object = None
    ended: bool = False
    lock: dict = None
    unreadable: bool = False  # the run has files, and none of them could be read

    @property
    def has_any(self):
        return bool(self.completed or self.in_progress or self.skipped or self.summary
                    or self.report_rows is not None or self.variants)


def _int(value, default=0):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _note_completed(ev, number, tz, entry=None, when=None, rank=1):
    """Add one completed order, keeping the best-founded completion time.

    rank: 3 = timed entry (real start and end), 2 = the report's Completed At cell (the time
    of completion in that run), 1 = the time a state or summary was written (only an upper
    bound). A better-founded entry replaces a weaker one, never the reverse.
    """
    number = str(number).strip()
    norm = normalize_order_number(number)
    if not norm:
        return
    entry = entry if isinstance(entry, dict) else {}
    timed = bool(entry.get("started_at") or entry.get("items"))
    new = CompletedEntry(
        number=number,
        completed_at=parse_ts(entry.get("completed_at"), tz) or when,
        started_at=parse_ts(entry.get("started_at"), tz),
        timed=timed,
        records=[r for r in entry.get("items") or [] if isinstance(r, dict)],
        corrections=_int(entry.get("corrections")),
        extra_scans=_int(entry.get("extra_scans_count")),
        unknown_scans=_int(entry.get("unknown_scans_count")),
        raw={k: v for k, v in entry.items() if k != "items"},
    )
    new.rank = 3 if timed else (rank if new.completed_at else 0)
    old = ev.completed.get(norm)
    if old is None or new.rank > old.rank:
        if old is not None:
            if new.completed_at is None:
                new.completed_at = old.completed_at
        ev.completed[norm] = new


def _item_states(value):
    """Item states of one in-progress order: the list form, or the E0 dict form (§17.5 #6)."""
    if isinstance(value, list):
        return [s for s in value if isinstance(s, dict)]
    if isinstance(value, dict):
        out = []
        for key, s in value.items():
            if isinstance(s, dict):
                out.append({"normalized_sku": key, **s})
        return out
    return []


def state_variant(doc):
    if "data" in doc and isinstance(doc["data"], dict):
        return "S1"
    if doc.get("version") == "1.3.0":
        if "skipped_orders_timing" in doc or "corrections" in (doc.get("in_progress") or {}).get(
                "_timing", {}) or any(isinstance(c, dict) and "corrections" in c
                                      for c in doc.get("completed") or []):
            return "S6"
        if "skipped_orders" in doc or "_current_extras" in doc:
            return "S5"
        if any(isinstance(c, dict) and (c.get("started_at") or c.get("items"))
               for c in doc.get("completed") or []) or "_timing" in (doc.get("in_progress") or {}):
            return "S4"
        return "S3"
    if "progress" in doc or "session_id" in doc or "completed" in doc:
        return "S2"
    return "S0"


def read_state(path, ev, tz, problems):
    """Fold one packing_state.json (or its .backup) into `ev`; later calls override in-progress."""
    doc = read_json_or_none(path, problems)
    if doc is None:
        return
    variant = state_variant(doc)
    ev.variants[str(path)] = variant
    body = doc["data"] if variant == "S1" else doc
    written = parse_ts(doc.get("last_updated") or doc.get("timestamp"), tz)
    if written and (ev.last_updated is None or written > ev.last_updated):
        ev.last_updated = written
    ev.started_at = ev.started_at or parse_ts(doc.get("started_at"), tz)
    ev.pc_name = str(doc.get("pc_name") or doc.get("worker_pc") or ev.pc_name or "")
    if isinstance(doc.get("progress"), dict):
        ev.progress = doc["progress"]
    for number in body.get("completed_orders") or []:
        if isinstance(number, (str, int)):
            _note_completed(ev, number, tz, when=written)
    for entry in body.get("completed") or []:
        if isinstance(entry, (str, int)):
            _note_completed(ev, entry, tz, when=written)
        elif isinstance(entry, dict) and entry.get("order_number") is not None:
            # Fallback entries carry the write time for every order: not a real time (§7.2).
            fallback = not (entry.get("started_at") or entry.get("items"))
            _note_completed(ev, entry["order_number"], tz,
                            entry=entry if not fallback else {}, when=written)
    in_progress = body.get("in_progress") or {}
    if isinstance(in_progress, dict):
        ev.in_progress = {}
        for number, value in in_progress.items():
            if str(number).startswith("_"):
                continue
            norm = normalize_order_number(number)
            if norm:
                ev.in_progress[norm] = (str(number), _item_states(value))
        timing = in_progress.get("_timing")
        ev.current_timing = timing if isinstance(timing, dict) else {}
    current = (doc.get("progress") or {}).get("in_progress_order")
    ev.current_order = normalize_order_number(current) if current else None
    extras = doc.get("_current_extras")
    ev.extras = {str(k): _int(v) for k, v in extras.items()} if isinstance(extras, dict) else {}
    if "skipped_orders" in doc:
        ev.skipped = {}
        for number in doc.get("skipped_orders") or []:
            norm = normalize_order_number(number)
            if norm:
                ev.skipped[norm] = str(number)
    for number, at in (doc.get("skipped_orders_timing") or {}).items():
        norm = normalize_order_number(number)
        when = parse_ts(at, tz)
        if norm and when:
            ev.skipped_at[norm] = when


def summary_variant(doc):
    if "error" in doc:
        return "error"
    if doc.get("version") == "1.0":
        return "v1.0"
    if doc.get("version") == "1.3.0":
        return "v1.3.0"
    if "summary" in doc or "performance" in doc:
        return "nested"
    return "unknown"


def read_summary(path, ev, tz, problems):
    """A session_summary.json of any variant: the run ended gracefully at least once."""
    doc = read_json_or_none(path, problems)
    if doc is None:
        return
    variant = summary_variant(doc)
    ev.variants[str(path)] = f"summary {variant}"
    ev.ended = True
    ev.summary = doc
    ended = parse_ts(doc.get("completed_at"), tz)
    if ended and (ev.ended_at is None or ended > ev.ended_at):
        ev.ended_at = ended
    ev.started_at = ev.started_at or parse_ts(doc.get("started_at"), tz)
    ev.worker_id = str(doc.get("worker_id") or ev.worker_id or "")
    name = doc.get("worker_name")
    ev.worker_name = str(name) if name and name != "Unknown" else ev.worker_name
    ev.pc_name = ev.pc_name or str(doc.get("pc_name") or doc.get("worker_pc") or "")
    for entry in doc.get("orders") or []:
        if isinstance(entry, dict) and entry.get("order_number") is not None:
            _note_completed(ev, entry["order_number"], tz, entry=entry, when=ended)
    for entry in doc.get("skipped_orders") or []:
        if isinstance(entry, dict) and entry.get("order_number") and \
                normalize_order_number(entry["order_number"]) not in ev.skipped_at:
            when = parse_ts(entry.get("skipped_at"), tz)
            if when:
                ev.skipped_at[normalize_order_number(entry["order_number"])] = when


def read_report(path, ev, tz, problems):
    """A `*_completed.xlsx` / `packing_completed.xlsx`: full rows plus Status / Completed At."""
    table = read_table(path, problems)
    if table is None:
        return
    ev.ended = True
    ev.report_headers, rows = table
    ev.report_rows = rows
    ev.report_path = path
    ev.variants[str(path)] = "completed report"
    for row in rows:
        if str(row.get("Status") or "").strip() == "Completed" and row.get("Order_Number"):
            when = parse_ts(str(row.get("Completed At") or "").replace(" ", "T"), tz)
            _note_completed(ev, row["Order_Number"], tz, when=when or ev.ended_at,
                            rank=2 if when else 1)


def read_lock(path, tz, problems, now=None):
    """What an old `.session.lock` says, for the report only (never a claim here)."""
    doc = read_json_or_none(path, problems)
    if doc is None:
        return {"holder": None, "pc": None, "heartbeat": None, "recent": False,
                "note": "unreadable lock file (the old app treated it as unlocked)"}
    beat = parse_ts(doc.get("heartbeat") or doc.get("lock_time"), tz)
    now = now or dj_tz.now()
    return {
        "holder": doc.get("worker_name") or doc.get("user_name"),
        "worker_id": doc.get("worker_id"),
        "pc": doc.get("locked_by"),
        "heartbeat": beat.isoformat() if beat else None,
        "recent": bool(beat and now - beat < timedelta(minutes=5)),
    }
