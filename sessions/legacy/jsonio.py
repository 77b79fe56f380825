"""Reading JSON written by the old apps without trusting it.

Python's own `json` module wrote the files, so bare NaN/Infinity tokens may appear (they are
accepted and turned into None, as a NaN cell means "empty"); `\\uXXXX` escapes decode to
Cyrillic on their own. BOMs come from files re-saved by hand on Windows. A truncated or
otherwise broken file is reported with its reason, never taken as "empty".
"""

import json
import math
from pathlib import Path


class UnreadableFile(Exception):
    """A file that exists but cannot be used; `reason` is what the report shows."""

    def __init__(self, path, reason):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _clean(value):
    """NaN / ±Infinity floats (from pandas cells) mean 'no value'."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def read_json(path, *, expect=dict):
    """Parse `path`; raise UnreadableFile with a human reason when it cannot be used."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(path, f"cannot be read: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise UnreadableFile(path, "empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1251")
        except UnicodeDecodeError as exc:  # pragma: no cover - cp1251 decodes almost anything
            raise UnreadableFile(path, "not UTF-8 text") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1
        why = "truncated JSON" if truncated else "invalid JSON"
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise UnreadableFile(path, f"{why} ({where})") from exc
    if "NaN" in text or "Infinity" in text:
        data = _clean(data)
    if expect is not None and not isinstance(data, expect):
        kind = "an object" if expect is dict else "a list"
        raise UnreadableFile(path, f"JSON is not {kind}")
    return data


def read_json_or_none(path, problems, *, expect=dict):
    """Like read_json, but a missing file is None and a broken one is recorded in `problems`."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        return read_json(path, expect=expect)
    except UnreadableFile as exc:
        problems.add(exc.path, exc.reason)
        return None
