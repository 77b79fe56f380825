"""Reading JSON written by the old apps without trusting it.

Python's own `json` module wrote the files, so bare NaN/Infinity tokens may appear (they are
accepted and turned into None, as a NaN cell means "empty"); `\\uXXXX` escapes decode to
Cyrillic on their own. BOMs come from files re-saved by hand on Windows. A truncated or
otherwise broken file is reported with its reason, never taken as "empty".
"""

import json
import math
from pathlib import Path

from sessions.legacy import share
from sessions.legacy.share import Unreadable

UnreadableFile = Unreadable  # the name this module has always raised


def _clean(value):
    """NaN / ±Infinity floats (from pandas cells) mean 'no value'."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def read_json(path, problems, *, expect=dict):
    """Parse `path`; raise Unreadable with a human reason when it cannot be used."""
    path = Path(path)
    raw = share.read_bytes(path, problems)
    if not raw.strip():
        raise Unreadable(path, "empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1251")
        except UnicodeDecodeError as exc:  # pragma: no cover - cp1251 decodes almost anything
            raise Unreadable(path, "not UTF-8 text") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1
        why = "truncated JSON" if truncated else "invalid JSON"
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise Unreadable(path, f"{why} ({where})") from exc
    except RecursionError:
        raise Unreadable(path, "JSON nested too deeply to be a file of the old apps") from None
    if "NaN" in text or "Infinity" in text:
        data = _clean(data)
    if expect is not None and not isinstance(data, expect):
        kind = "an object" if expect is dict else "a list"
        raise Unreadable(path, f"JSON is not {kind}")
    return data


def read_json_or_none(path, problems, *, expect=dict):
    """Like read_json, but a missing file is None and a broken one (or a folder in its place)
    is recorded in `problems`."""
    path = Path(path)
    if not share.is_file(path, problems):
        return None
    try:
        return read_json(path, problems, expect=expect)
    except Unreadable as exc:
        problems.add(exc.path, exc.reason)
        return None
