"""Small helpers shared by the legacy-import tests."""

import hashlib
import os
from pathlib import Path

from sessions.legacy.runner import ImportOptions, run_import
from sessions.models import PackingList
from sessions.replay import replay_counters, stored_counters
from stats.legacy_history import import_history


def run(*roots, **kwargs):
    """Run the import quietly, with the stats step as `manage.py import_legacy` runs it;
    returns the report dict."""
    kwargs.setdefault("history_step", import_history)
    return run_import(ImportOptions(roots=[Path(r) for r in roots], **kwargs)).as_dict()


def figures(report, list_name, session=None):
    rows = [f for f in report["lists"] if f["list"] == list_name
            and (session is None or f["session"] == session)]
    assert len(rows) == 1, report["lists"]
    return {k: v for k, v in rows[0].items() if k not in {"client", "session", "list"}}


def problem_reasons(report):
    return [p["reason"] for p in report["problems"]]


def assert_log_replays(packing_list):
    """The imported counters are a cache of the imported ScanEvent log (design.md).

    Every order is compared, including those without lines (an Excel session whose original
    list is not on the share: only the number is known), whose completion the replay takes from
    the importer's order_complete event.
    """
    replayed, stored = replay_counters(packing_list), stored_counters(packing_list)
    for part in ("orders", "items", "extras"):
        diff = {k: (replayed[part].get(k), stored[part].get(k))
                for k in set(replayed[part]) | set(stored[part])
                if replayed[part].get(k) != stored[part].get(k)}
        assert not diff, (packing_list.name, part, diff)


def all_lists_replay():
    for pl in PackingList.objects.all():
        assert_log_replays(pl)


def snapshot(root):
    """{relative path: (sha256, mtime_ns)} of every file and folder under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.stat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            out[str(p.relative_to(root))] = (digest, st.st_mtime_ns)
    return out


def make_read_only(root):
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            os.chmod(Path(dirpath) / name, 0o444)
        os.chmod(dirpath, 0o555)


def make_writable(root):
    for dirpath, _dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(Path(dirpath) / name, 0o644)
