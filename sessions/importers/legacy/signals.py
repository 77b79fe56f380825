"""Signal sent once per import run, after the sessions, so that apps depending on `sessions`
(the `stats` app keeps the old Stats/ history) import their part without `sessions` importing
them. Keyword arguments: trees, workers (parsed workers.json entries), problems, tz, dry_run,
report. Receivers run inside their own transaction."""

from django.dispatch import Signal

share_imported = Signal()
