"""Legacy share import, stats step: Stats/ files (stats.json 1.0/1.1, global_stats.json of any
version, also the E1 STATS/ tree) and workers.json counters become stats.LegacyStatRecord rows.

A record's fingerprint is a hash of its kind and content (plus its occurrence number among
identical records), so the same history found twice — a stats.json copied unchanged to
global_stats.json by the 2025-11 migration, or a second run of the command — is stored once.
"""

import hashlib
import json
import re
from collections import Counter

from profiles.models import Client, Worker
from sessions.legacy.jsonio import read_json_or_none
from sessions.legacy.timestamps import parse_ts
from stats.models import LegacyStatRecord

SESSION_TAIL_RE = re.compile(r"(\d{4}-\d{2}-\d{2}_(?:\d{2}-\d{2}|\d+))(?:_(.+))?$")


def _split_session_ref(ref):
    """(folder name, list name) from a stats session_id, also the 'absolute path_LIST' form."""
    text = str(ref or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    m = SESSION_TAIL_RE.search(text)
    if not m:
        return "", ""
    return m.group(1), m.group(2) or ""


def _num(value, cast=int):
    try:
        return None if value is None else cast(value)
    except (TypeError, ValueError):
        return None


def _records_from_stats(doc, path, tz):
    """Yield (kind, fields, payload) of every history entry and counter block in one file."""
    for kind, key in (("packing", "packing_history"), ("analysis", "analysis_history"),
                      ("label_print", "label_print_history"), ("session", "session_history")):
        for entry in doc.get(key) or []:
            if not isinstance(entry, dict):
                continue
            meta = entry.get("metadata") if isinstance(entry.get("metadata"), dict) else {}
            ref = entry.get("session_id") or ""
            folder, list_name = _split_session_ref(ref)
            yield kind, {
                "client_code": str(entry.get("client_id") or "")[:50],
                "session_ref": str(ref)[:1000], "session_external_id": folder,
                "list_name": str(meta.get("packing_list_name") or list_name or "")[:300],
                "worker_ref": str(entry.get("worker_id") or "")[:100],
                "recorded_at": parse_ts(entry.get("timestamp") or entry.get("end_time"), tz),
                "orders_count": _num(entry.get("orders_count", entry.get("orders_completed"))),
                "items_count": _num(entry.get("items_count", entry.get("items_packed",
                                                                        meta.get("items_count")))),
                "duration_seconds": _num(entry.get("duration_seconds",
                                                   meta.get("duration_seconds")), float),
                "possibly_double_counted": kind in {"packing", "session"},
            }, entry
    for code, totals in (doc.get("by_client") or {}).items():
        yield "client_totals", {"client_code": str(code)[:50]}, {"by_client": totals}
    for code, totals in (doc.get("client_stats") or {}).items():
        yield "client_totals", {"client_code": str(code)[:50]}, {"client_stats": totals}
    totals = {k: v for k, v in doc.items() if k.startswith("total_") or k in {"version",
                                                                             "last_updated"}}
    if totals:
        yield "global_totals", {"recorded_at": parse_ts(doc.get("last_updated"), tz)}, totals
    ids = {k: doc[k] for k in ("processed_order_ids", "completed_order_ids") if k in doc}
    if ids:
        yield "order_ids", {}, ids


def stats_files(trees):
    for tree in trees:
        sdir = tree.get("stats")
        if sdir is None:
            continue
        for name in ("global_stats.json", "stats.json"):
            yield sdir / name  # read_json_or_none: a missing file is None, a broken one reported


def collect(trees, workers, problems, tz):
    """All records to store: [(fingerprint, kind, fields, payload, path)]."""
    out = []
    seen = Counter()  # occurrences within one file: a copy in another file is the same record

    def add(kind, fields, payload, path):
        body = json.dumps([kind, payload], sort_keys=True, default=str)
        seen[body] += 1
        digest = hashlib.sha256(f"{body}#{seen[body]}".encode()).hexdigest()
        out.append((digest, kind, fields, payload, str(path)))

    for path in stats_files(trees):
        doc = read_json_or_none(path, problems)
        seen.clear()
        if doc is not None:
            for kind, fields, payload in _records_from_stats(doc, path, tz):
                add(kind, fields, payload, path)
    seen.clear()
    for entry in workers:
        payload = {k: v for k, v in entry.items() if k != "_path"}
        add("worker_totals", {
            "worker_ref": str(entry["id"])[:100],
            "recorded_at": parse_ts(entry.get("last_active"), tz),
            "orders_count": _num(entry.get("total_orders")),
            "items_count": _num(entry.get("total_items")),
            "duration_seconds": _num(entry.get("total_duration_seconds"), float),
            "possibly_double_counted": True,
        }, payload, entry["_path"])
    return out


def import_history(*, trees, workers, problems, tz, dry_run, report):
    """The stats step of `manage.py import_legacy` (handed to the run as its history_step:
    stats depends on sessions, never the reverse)."""
    records = collect(trees, workers, problems, tz)
    created, existing = save(records, dry_run=dry_run)
    report.stats_records["created"] += created
    report.stats_records["existing"] += existing


def save(records, *, dry_run):
    """Store the records not stored yet; returns (created, existing)."""
    fps = [r[0] for r in records]
    existing = set()
    for start in range(0, len(fps), 500):
        existing |= set(LegacyStatRecord.objects.filter(fingerprint__in=fps[start:start + 500])
                        .values_list("fingerprint", flat=True))
    new, picked = [], set(existing)
    for r in records:
        if r[0] not in picked:  # the first file holding a record wins (E2+ before E1)
            picked.add(r[0])
            new.append(r)
    if dry_run or not new:
        return len(new), len(existing)
    clients = dict(Client.objects.values_list("code", "id"))
    workers = dict(Worker.objects.exclude(legacy_id=None).values_list("legacy_id", "id"))
    LegacyStatRecord.objects.bulk_create([
        LegacyStatRecord(
            fingerprint=fp, kind=kind, payload=payload, source_path=path[:1000],
            client_id=clients.get(fields.get("client_code", "").upper()),
            worker_id=workers.get(fields.get("worker_ref", "")), **fields,
        )
        for fp, kind, fields, payload, path in new
    ], batch_size=500)
    return len(new), len(existing)
