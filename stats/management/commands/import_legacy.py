"""manage.py import_legacy ROOT [ROOT …] — move a warehouse off the old file share (issue 6).

Read-only on the share; idempotent; one transaction per session; ends with a report (text, and
JSON with --report-json). The sessions come from sessions/legacy/ (its steps are listed
there); the old Stats/ history is this app's step, stats.legacy_history. The command lives in
`stats` because it orchestrates both, and `stats` may depend on `sessions` (not the reverse).
"""

import json
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.legacy.runner import ImportOptions, is_tty, run_import
from stats.legacy_history import import_history


class Command(BaseCommand):
    help = ("Import a legacy file share (Clients/ Sessions/ Stats/ Workers/ or the old "
            "CLIENTS/ SESSIONS/ STATS/ tree, or a folder holding such trees).")

    def add_arguments(self, parser):
        parser.add_argument("roots", nargs="+", metavar="ROOT")
        parser.add_argument("--lists-dir", help="Folder holding the original Excel packing lists "
                                                "of Excel sessions (found by file name).")
        parser.add_argument("--timezone", default=settings.TIME_ZONE,
                            help="Zone of the naive timestamps in the files "
                                 "(default: %(default)s).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Show what would be imported; write nothing.")
        parser.add_argument("--report-json", metavar="FILE", help="Also write the report as JSON.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        roots = [Path(r) for r in opts["roots"]]
        for root in roots:
            if not root.is_dir():
                raise CommandError(f"{root} is not a folder")
        if opts["lists_dir"] and not Path(opts["lists_dir"]).is_dir():
            raise CommandError(f"--lists-dir {opts['lists_dir']} is not a folder")
        try:
            ZoneInfo(opts["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"unknown time zone {opts['timezone']!r}") from exc
        report = run_import(ImportOptions(
            roots=roots, lists_dir=opts["lists_dir"], timezone=opts["timezone"],
            dry_run=opts["dry_run"], progress=None if opts["no_progress"] else self._progress,
            history_step=import_history,
        ))
        self.stdout.write(report.as_text())
        if opts["report_json"]:
            Path(opts["report_json"]).write_text(
                json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str),
                encoding="utf-8")

    def _progress(self, items, total):
        """tqdm bar (counts, rate, estimate) on a terminal; a plain line per session otherwise."""
        if is_tty(self.stderr._out):
            from tqdm import tqdm

            yield from tqdm(items, total=total, unit="session", desc="Importing",
                            file=self.stderr._out)
            return
        for n, item in enumerate(items, start=1):
            self.stderr.write(f"[{n}/{total}] {item.client} / {item.name}")
            yield item
