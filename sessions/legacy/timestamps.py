"""Timestamps of the old apps: aware ISO, naive ISO (local wall-clock time of the writing PC),
Excel `YYYY-MM-DD HH:MM:SS` cells and folder names. Naive means the warehouse's local time
(the `--timezone` option), never UTC as the old apps' own parser assumed.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone as dj_tz

EXCEL_SESSION_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{2})-(\d{2})$")
SHOPIFY_SESSION_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d+)$")


def parse_ts(value, tz):
    """An aware datetime, or None when `value` is empty or not a timestamp."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), tz=ZoneInfo("UTC"))
        except (OverflowError, OSError, ValueError):
            return None
    else:
        text = str(value).strip()
        if not text or text.lower() in {"none", "nan", "null"}:
            return None
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return None
    if dj_tz.is_naive(dt):
        dt = dt.replace(tzinfo=tz)  # zoneinfo resolves DST itself (fold=0 on the repeated hour)
    return dt


def folder_time(name, tz):
    """Start time encoded in a session folder name (minute or day resolution), or None."""
    m = EXCEL_SESSION_RE.match(name)
    if m:
        return parse_ts(f"{m.group(1)}T{m.group(2)}:{m.group(3)}:00", tz)
    m = SHOPIFY_SESSION_RE.match(name)
    if m:
        return parse_ts(f"{m.group(1)}T00:00:00", tz)
    return None


def iso(dt):
    return dt.isoformat() if dt else None
