"""Read the JSON files of a Shopify Tool session folder, from disk or from an uploaded zip.

Only the files the import needs are read: `session_info.json`, `analysis/analysis_data.json`
and `packing_lists/*.json`; everything else in the folder (inputs, xlsx reports, labels) is
ignored. A zip is never extracted to disk: its directory passes the bomb checks of
`sessions.imports.limits` first, and members are read into memory with hard limits, so a
hostile archive cannot write outside a folder (zip-slip) or fill memory (zip bomb).
"""

import posixpath
import stat
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from sessions.errors import ImportRejected
from sessions.imports.limits import max_unpacked, open_zip

SESSION_INFO = "session_info.json"
ANALYSIS = "analysis/analysis_data.json"
LISTS_DIR = "packing_lists"


@dataclass
class SessionFiles:
    """The raw JSON texts of one session folder. `lists`: file name → a function returning
    that file's bytes, sorted by name; each is read when its list is validated, so one list
    file at a time is in memory (and none after a cap has refused the import)."""

    folder_name: str
    session_info: bytes
    analysis: bytes | None = None
    lists: dict = field(default_factory=dict)


def reject(message):
    raise ImportRejected([{"row": None, "column": None, "message": str(message)}])


def not_a_session(where):
    reject(_("%(where)s is not a Shopify Tool session folder: no session_info.json at its top "
             "or in its only sub-folder.") % {"where": where})


def wanted(relative):
    """Is this path (relative to the session folder) one of the files the import reads?"""
    parts = PurePosixPath(relative).parts
    if relative in (SESSION_INFO, ANALYSIS):
        return True
    return len(parts) == 2 and parts[0] == LISTS_DIR and parts[1].lower().endswith(".json")


def read_folder(path):
    """SessionFiles of a session folder on the server (or of its only sub-folder)."""
    root = Path(path)
    if not (root / SESSION_INFO).is_file():
        subdirs = [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
        if len(subdirs) == 1 and (subdirs[0] / SESSION_INFO).is_file():
            root = subdirs[0]
        else:
            not_a_session(str(path))
    budget = [max_unpacked()]

    def load(p):
        size = p.stat().st_size
        budget[0] -= size
        if size > settings.PACKER_IMPORT_MAX_BYTES or budget[0] < 0:
            reject(_("%(name)s is too large to import.") % {"name": p.name})
        return p.read_bytes()

    files = SessionFiles(folder_name=root.name, session_info=load(root / SESSION_INFO))
    if (root / ANALYSIS).is_file():
        files.analysis = load(root / ANALYSIS)
    lists_dir = root / LISTS_DIR
    if lists_dir.is_dir():
        for p in sorted(lists_dir.glob("*.json")):
            if p.is_file() and not p.is_symlink():
                files.lists[p.name] = partial(load, p)
    return files


def safe_member_name(info):
    """The member's normalised posix path, or None for anything that could escape or is odd."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    normal = posixpath.normpath(name)
    if normal.startswith("../") or normal == ".." or "/../" in f"/{normal}/":
        return None
    mode = (info.external_attr >> 16) & 0xFFFF
    if stat.S_ISLNK(mode):
        return None
    return normal


def read_zip(data, name="upload.zip"):
    """SessionFiles from the bytes of a zip of a session folder (top level or one folder deep)."""
    with open_zip(data, name) as archive:
        names = {}
        for member in archive.infolist():
            if member.is_dir():
                continue
            normal = safe_member_name(member)
            if normal is None:
                reject(_("The archive contains an unsafe path: %(path)s")
                       % {"path": member.filename})
            names[normal] = member
        prefix = _session_prefix(names, name)
        budget = [max_unpacked()]
        files = SessionFiles(folder_name=prefix.rstrip("/") or PurePosixPath(name).stem,
                             session_info=b"")
        for normal, member in sorted(names.items()):
            if not normal.startswith(prefix):
                continue
            relative = normal[len(prefix):]
            if not wanted(relative):
                continue
            if relative == SESSION_INFO:
                files.session_info = _read_member(archive, member, budget)
            elif relative == ANALYSIS:
                files.analysis = _read_member(archive, member, budget)
            else:
                files.lists[PurePosixPath(relative).name] = partial(
                    _reopened_member, data, member, budget)
    return files


def _reopened_member(data, member, budget):
    with open_zip(data, "") as archive:
        return _read_member(archive, member, budget)


def _session_prefix(names, archive_name):
    """'' when session_info.json is at the top, 'FOLDER/' when it is one folder deep."""
    if SESSION_INFO in names:
        return ""
    candidates = [n for n in names if n.count("/") == 1 and n.endswith("/" + SESSION_INFO)]
    if len(candidates) != 1:
        not_a_session(archive_name)
    return candidates[0][: -len(SESSION_INFO)]


def _read_member(archive, member, budget):
    """Read one member, counting real bytes (the declared size may lie)."""
    limit = min(settings.PACKER_IMPORT_MAX_BYTES, budget[0])
    chunks, total = [], 0
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 16):
            total += len(chunk)
            if total > limit:
                reject(_("%(name)s is too large to import.") % {"name": member.filename})
            chunks.append(chunk)
    budget[0] -= total
    return b"".join(chunks)
