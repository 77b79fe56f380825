"""The import run: clients and workers, then every session in its own transaction, then the
stats history (a step the command hands in: `stats` depends on `sessions`, never the reverse),
then the report.

Idempotency key: client + session folder name + list name, on sessions with source=legacy.
A session already imported is skipped; lists that appeared in it since (a list packed after
the first run) are added. A dry run does all the work inside a transaction that is rolled
back, so its figures are exactly those of a real run.
"""

import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone as dj_tz

from sessions.legacy import clients as client_step
from sessions.legacy.planner import SessionRejected, plan_session
from sessions.legacy.report import Report
from sessions.legacy.tree import find_trees, session_folders
from sessions.legacy.workers import ensure_worker, read_workers
from sessions.legacy.writer import (
    Actors,
    known_sessions,
    write_session,
)
from sessions.models import PackingList


@dataclass
class ImportOptions:
    roots: list
    lists_dir: Path = None
    timezone: str = ""
    dry_run: bool = False
    progress: object = None  # callable(iterable, total) -> iterable, for a progress display
    # callable(trees=, workers=, problems=, tz=, dry_run=, report=): the stats history step,
    # run after the sessions inside the run's transaction (rolled back with a dry run).
    history_step: object = None
    now: object = None


@dataclass
class Context:
    tz: ZoneInfo
    lists_dir: Path
    problems: object
    report: Report
    now: object
    known: dict = None


class _DryRunRollback(Exception):
    pass


def run_import(options):
    """Import the share(s) named in `options`; returns the Report (also on a dry run)."""
    tz_name = options.timezone or settings.TIME_ZONE
    report = Report(roots=options.roots, timezone=tz_name, dry_run=options.dry_run)
    ctx = Context(tz=ZoneInfo(tz_name), lists_dir=Path(options.lists_dir) if options.lists_dir
                  else None, problems=report.problems, report=report,
                  now=options.now or dj_tz.now())
    if not options.dry_run:
        # Each session commits on its own: an interrupted run keeps what it finished (and the
        # next run continues), and the database is never write-locked for the whole import.
        _run(options, ctx)
        return report
    try:
        with transaction.atomic():
            _run(options, ctx)
            raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def _run(options, ctx):
    report, problems = ctx.report, ctx.problems
    problems.roots = [*options.roots, *([ctx.lists_dir] if ctx.lists_dir else [])]
    trees = find_trees(options.roots, problems)
    if not trees:
        for root in options.roots:
            problems.add(root, "no Clients/ or Sessions/ folder (in either capitalisation) here")
        return
    folders = session_folders(trees, problems)
    profiles = client_step.all_profiles(trees, {f.client for f in folders}, problems)
    with transaction.atomic():
        clients = _clients_and_workers(profiles, report, problems)
        workers = read_workers(trees, problems)
        for entry in workers:
            _worker, created = ensure_worker(str(entry["id"]).strip(), entry.get("name") or "")
            report.workers["created" if created else "existing"] += 1
    actors = Actors()
    ctx.known = known_sessions()
    todo = [f for f in folders if f.client in clients]
    iterator = options.progress(todo, len(todo)) if options.progress else todo
    for sf in iterator:
        _import_one(sf, clients[sf.client], actors, ctx)
    if options.history_step is not None:
        with transaction.atomic():
            options.history_step(trees=trees, workers=workers, problems=problems, tz=ctx.tz,
                                 dry_run=False, report=report)


def _clients_and_workers(profiles, report, problems):
    clients = {}
    for code, profile in profiles.items():
        client, created, figures = client_step.save_profile(profile, problems, dry_run=False)
        clients[code] = client
        report.client(code, created=created, name=profile.name, mappings=figures,
                      mapping_duplicates=profile.duplicates)
    return clients


def _import_one(sf, client, actors, ctx):
    """One session folder, atomically; any failure is a problem of the report, not a stop."""
    report = ctx.report
    existing, source, done = ctx.known.get((client.pk, sf.name), (None, None, set()))
    if existing is not None and source != "legacy":
        ctx.problems.add(sf.path, "a session with this id exists on the server and was not "
                                  "imported from the share; left untouched")
        return
    try:
        plan = plan_session(sf, ctx)
    except SessionRejected as exc:
        ctx.problems.add(sf.path, f"session not imported: {exc}")
        return
    except Exception as exc:  # one broken session never stops the others
        ctx.problems.add(sf.path, f"session not imported: {exc.__class__.__name__}: {exc}")
        return
    gaps = gap_lists(existing, plan.lists) if existing is not None else {}
    new = [lp for lp in plan.lists if lp.name[:300] not in done or lp.name[:300] in gaps]
    old = [lp.figures(client.code, sf.name) for lp in plan.lists
           if lp.name[:300] in done and lp.name[:300] not in gaps]
    if existing is not None and not new:
        report.session_skipped(client.code, old)
        return
    try:
        with transaction.atomic():
            for plist in gaps.values():
                plist.delete()
            session = write_session(plan, client, new, actors, ctx.tz, existing=existing)
    except Exception as exc:
        actors.forget()  # workers/stations created in the rolled-back transaction are gone
        ctx.problems.add(sf.path, f"session not imported: {exc.__class__.__name__}: {exc}")
        return
    ctx.known[(client.pk, sf.name)] = (session, "legacy", done | {lp.name[:300] for lp in new})
    if existing is None:
        report.session_imported(client.code)
    for figures in old:
        report.list_skipped(client.code, figures)
    for lp in new:
        report.list_imported(lp.figures(client.code, sf.name))
        if lp.name[:300] in gaps:
            report.gap_filled.append({"client": client.code, "session": sf.name,
                                      "list": lp.name, "source": str(lp.source.path)})


def gap_lists(session, plans):
    """Lists imported earlier without their lines (the original Excel list was missing) that
    this run can now complete from a real list file: {name: PackingList} to replace.

    Only lists nobody has touched on the server since (never claimed) are replaced; a list
    already packed here keeps what it has.
    """
    better = {lp.name[:300] for lp in plans if lp.source.kind != "state"}
    if not better:
        return {}
    candidates = PackingList.objects.filter(session=session, name__in=better,
                                            info__legacy_source="state")
    return {pl.name: pl for pl in candidates if not pl.claim_events.exists()
            and pl.claim_token is None}


def is_tty(stream=None):
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()
