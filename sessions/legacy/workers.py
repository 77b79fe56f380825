"""Workers from `Workers/workers.json` (or the `.backup` the old app left when it was unreadable).

Each becomes a Worker with `legacy_id` = `worker_00N` (the reference used by locks, summaries and
stats) and a Django user that cannot sign in by password until an admin sets one.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from profiles.models import Worker
from sessions.legacy.jsonio import read_json_or_none


def read_workers(trees, problems):
    """[{"id", "name", ...counters}] from every tree (first tree wins per id)."""
    seen = {}
    for tree in trees:
        wdir = tree.get("workers")
        if wdir is None:
            continue
        for fname in ("workers.json", "workers.json.backup"):
            doc = read_json_or_none(wdir / fname, problems)
            if doc is None:
                continue
            for entry in doc.get("workers") or []:
                if isinstance(entry, dict) and str(entry.get("id") or "").strip():
                    seen.setdefault(str(entry["id"]).strip(), dict(entry, _path=str(wdir / fname)))
    return list(seen.values())


def ensure_worker(legacy_id, name):
    """(Worker, created) for a legacy id; the user gets an unusable password."""
    worker = Worker.objects.filter(legacy_id=legacy_id).first()
    if worker is not None:
        return worker, False
    User = get_user_model()
    base = f"legacy_{legacy_id}"[:140]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}_{n}"
    with transaction.atomic():
        user = User(username=username, first_name=str(name)[:150])
        user.set_unusable_password()
        user.save()
        worker = Worker.objects.create(
            user=user, display_name=(str(name).strip() or legacy_id)[:100], legacy_id=legacy_id)
    return worker, True
