"""Dashboard data: figures per client, worker and day, with filters.

Every figure comes from `sessions.metrics.grouped_metrics` (definitions in its docstring), so
the dashboard agrees with the station, the list summary and the reports. Who may see whose
figures (a worker only their own, a supervisor everyone's) is enforced by the views: pass
`worker=` for a worker's own dashboard.

History imported from the old app (stats.models.LegacyStatRecord) double-counts resumed runs
and is never mixed in here.
"""

from datetime import timedelta

from django.utils import timezone

from profiles.models import Client, Worker
from sessions.metrics import empty_metrics, grouped_metrics, local_tz, metrics

DEFAULT_DAYS = 30
FIRST_HOUR, LAST_HOUR = 6, 18  # the hours the hourly view always shows (a shift)


def default_range(today=None, days=DEFAULT_DAYS):
    """The last `days` local days up to today (inclusive): the dashboard's default filter."""
    today = today or timezone.localtime(timezone.now(), local_tz()).date()
    return today - timedelta(days=days - 1), today


def _labels(group_by, keys):
    """Display labels for the group keys (one query per kind, never per row)."""
    if group_by == "client":
        rows = Client.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: (f"{code} — {name}" if name and name != code else code)
                for pk, code, name in rows}
    if group_by == "worker":
        return dict(Worker.objects.filter(pk__in=keys).values_list("pk", "display_name"))
    if group_by == "hour":
        return {key: f"{key:02d}:00" for key in keys if key is not None}
    return {key: key.isoformat() for key in keys if key is not None}


def _days(date_from, date_to):
    day = date_from
    while day <= date_to:
        yield day
        day += timedelta(days=1)


def dashboard_rows(group_by, *, client=None, worker=None, date_from=None, date_to=None):
    """[{"key", "label", **figures}] for group_by in client / worker / day / hour.

    Days come in calendar order with every day of a bounded range present (zero figures on
    days without work, so charts keep their time axis); hours (the local hour of the day the
    work was done, 0–23, over the whole range) likewise, from the first to the last hour with
    work (at least 06:00–18:00); clients and workers by label.
    """
    data = grouped_metrics(group_by, client=client, worker=worker, date_from=date_from,
                           date_to=date_to)
    if group_by == "day" and date_from and date_to and (date_to - date_from).days <= 366:
        for day in _days(date_from, date_to):
            data.setdefault(day, empty_metrics())
    if group_by == "hour":
        worked = [k for k in data if k is not None]
        for hour in range(min([FIRST_HOUR, *worked]), max([LAST_HOUR, *worked]) + 1):
            data.setdefault(hour, empty_metrics())
    labels = _labels(group_by, [k for k in data if k is not None])
    rows = [{"key": key, "label": labels.get(key, "—"), **figures}
            for key, figures in data.items()]
    if group_by in ("day", "hour"):
        return sorted(rows, key=lambda r: r["key"])
    return sorted(rows, key=lambda r: (r["key"] is None, str(r["label"]).casefold()))


def dashboard(*, client=None, worker=None, date_from=None, date_to=None):
    """Totals and the four breakdowns (client, worker, day, hour) for the dashboard page and its
    exports.

    Without dates the last DEFAULT_DAYS days are shown. `worker` and `client` may be instances
    or primary keys.
    """
    if date_from is None and date_to is None:
        date_from, date_to = default_range()
    filters = {"client": client, "worker": worker, "date_from": date_from, "date_to": date_to}
    return {
        "filters": {"client": getattr(client, "pk", client),
                    "worker": getattr(worker, "pk", worker),
                    "date_from": date_from.isoformat() if date_from else None,
                    "date_to": date_to.isoformat() if date_to else None},
        "totals": metrics(**filters),
        "by_client": dashboard_rows("client", **filters),
        "by_worker": dashboard_rows("worker", **filters),
        "by_day": dashboard_rows("day", **filters),
        "by_hour": dashboard_rows("hour", **filters),
    }
