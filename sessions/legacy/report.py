"""The run report: what was imported per client, what was skipped, and every problem.

One object collects everything while the import runs; `as_dict()` is the `--report-json`
document and `as_text()` what the command prints. The per-list figures are computed from the
rows actually written (or planned, on a dry run), i.e. the same numbers the API shows.
"""

from collections import defaultdict
from pathlib import Path

CLIENT_KEYS = ("sessions", "lists", "orders", "lines", "items", "packed_units")


class Problems:
    """Files that could not be read or data that could not be trusted: {"path", "reason"}.

    `roots` are the share's roots (and --lists-dir): a symbolic link leading outside them is a
    problem, not a path to follow (sessions/legacy/share.py)."""

    def __init__(self, roots=()):
        self.items = []
        self._seen = set()
        self.roots = list(roots)

    def add(self, path, reason):
        key = (str(path), reason)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append({"path": str(path), "reason": str(reason)})

    def extend(self, other):
        for p in other.items:
            self.add(p["path"], p["reason"])

    def __len__(self):
        return len(self.items)


class Report:
    def __init__(self, *, roots, timezone, dry_run):
        self.roots = [str(r) for r in roots]
        self.timezone = timezone
        self.dry_run = dry_run
        self.problems = Problems()
        self.imported = defaultdict(lambda: dict.fromkeys(CLIENT_KEYS, 0))
        self.skipped = defaultdict(lambda: {"sessions": 0, "lists": 0})
        self.lists = []
        self.already_imported = []
        self.locks = []
        self.gap_filled = []
        self.clients = {}
        self.workers = {"created": 0, "existing": 0}
        self.stats_records = {"created": 0, "existing": 0}

    # -- recording -----------------------------------------------------------------------
    def client(self, code, *, created, name, mappings, mapping_duplicates):
        self.clients[code] = {
            "created": created, "name": name, "sku_mappings": mappings,
            "mapping_duplicates": mapping_duplicates,
        }
        self.imported[code]

    def list_imported(self, figures):
        self.lists.append(figures)
        row = self.imported[figures["client"]]
        row["lists"] += 1
        row["orders"] += figures["orders"]
        row["lines"] += figures["lines"]
        row["items"] += figures["units"]
        row["packed_units"] += figures["packed_units"]

    def session_imported(self, client):
        self.imported[client]["sessions"] += 1

    def session_skipped(self, client, lists):
        self.skipped[client]["sessions"] += 1
        self.skipped[client]["lists"] += len(lists)
        self.already_imported.extend(lists)

    def list_skipped(self, client, figures):
        self.skipped[client]["lists"] += 1
        self.already_imported.append(figures)

    def lock(self, path, info):
        self.locks.append({"path": str(path), **info})

    # -- output --------------------------------------------------------------------------
    def as_dict(self):
        codes = sorted(set(self.imported) | set(self.skipped) | set(self.clients))
        return {
            "dry_run": self.dry_run,
            "roots": self.roots,
            "timezone": self.timezone,
            "clients": {
                code: {
                    **self.clients.get(code, {}),
                    "imported": dict(self.imported[code]),
                    "skipped_already_imported": dict(self.skipped[code]),
                }
                for code in codes
            },
            "workers": dict(self.workers),
            "stats_records": dict(self.stats_records),
            "lists": self.lists,
            "already_imported": self.already_imported,
            "gaps_filled": self.gap_filled,
            "locks": self.locks,
            "problems": self.problems.items,
        }

    def as_text(self):
        d = self.as_dict()
        out = [("DRY RUN — nothing was written. " if self.dry_run else "")
               + f"Legacy import of {', '.join(self.roots)} (naive times read as {self.timezone})"]
        for code, c in d["clients"].items():
            i, s = c["imported"], c["skipped_already_imported"]
            out.append(
                f"  client {code}: {i['sessions']} sessions, {i['lists']} lists, "
                f"{i['orders']} orders, {i['lines']} lines, {i['items']} items, "
                f"{i['packed_units']} packed units imported; "
                f"{s['sessions']} sessions / {s['lists']} lists skipped as already imported"
            )
            for dup in c.get("mapping_duplicates") or []:
                out.append(f"    mapping keys {dup['dropped']['barcode']!r} and "
                           f"{dup['kept']['barcode']!r} are one barcode once normalised: "
                           f"kept the later ({dup['kept']['sku']!r})")
        out.append(f"  workers: {d['workers']['created']} created, "
                   f"{d['workers']['existing']} existing; "
                   f"stats records: {d['stats_records']['created']} created, "
                   f"{d['stats_records']['existing']} existing")
        if self.lists:
            out.append("Lists:")
            for f in self.lists:
                out.append(
                    f"  {f['client']} / {f['session']} / {f['list']}: {f['state']}, "
                    f"{f['orders']} orders ({f['completed_orders']} completed, "
                    f"{f['skipped_orders']} skipped), {f['lines']} lines, "
                    f"{f['packed_units']}/{f['units']} units packed"
                )
        for g in self.gap_filled:
            out.append(f"  {g['client']} / {g['session']} / {g['list']}: imported before without "
                       f"its lines; replaced now from {g['source']}")
        if self.locks:
            out.append("Old lock files (reported only, no claim was created):")
            for lk in self.locks:
                out.append(f"  {lk['path']}: {lk.get('holder') or '?'} on {lk.get('pc') or '?'}, "
                           f"heartbeat {lk.get('heartbeat') or '?'}"
                           + (" — RECENT: someone may still be packing"
                              if lk.get("recent") else ""))
        out.append(f"Problems: {len(self.problems)}")
        for p in self.problems.items:
            out.append(f"  {p['path']}: {p['reason']}")
        return "\n".join(out)


def rel(path, root):
    """`path` relative to the share root when possible (stored as PackingSession.source_path)."""
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)
