"""Read the JSON files of a Shopify Tool session folder, from disk or from an uploaded zip.

Only the files the import needs are read: `session_info.json`, `analysis/analysis_data.json`
and `packing_lists/*.json`; everything else in the folder (inputs, xlsx reports, labels) is
ignored. A zip is never extracted to disk: members are read into memory with hard limits, so
a hostile archive cannot write outside a folder (zip-slip) or fill memory (zip bomb).
"""

import io
import posixpath
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from sessions.errors import ImportRejected

SESSION_INFO = "session_info.json"
ANALYSIS = "analysis/analysis_data.json"
LISTS_DIR = "packing_lists"
MAX_MEMBERS = 10000
MAX_RATIO = 200  # uncompressed / compressed, for members bigger than 1 MB


def max_unpacked():
    return getattr(settings, "PACKER_IMPORT_MAX_UNPACKED_BYTES",
                   10 * settings.PACKER_IMPORT_MAX_BYTES)


@dataclass
class SessionFiles:
    """The raw JSON texts of one session folder (`lists`: file name → bytes, sorted)."""

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
                files.lists[p.name] = load(p)
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
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        reject(_("'%(name)s' is not a valid zip archive.") % {"name": name})
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            reject(_("The archive has too many files (%(n)d).") % {"n": len(members)})
        if sum(m.file_size for m in members) > max_unpacked():
            reject(_("The archive unpacks to more than %(mb)d MB.")
                   % {"mb": max_unpacked() // 1_000_000})
        names = {}
        for member in members:
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
            content = _read_member(archive, member, budget)
            if relative == SESSION_INFO:
                files.session_info = content
            elif relative == ANALYSIS:
                files.analysis = content
            else:
                files.lists[PurePosixPath(relative).name] = content
    return files


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
    if member.file_size > 1_000_000 and member.compress_size and \
            member.file_size / member.compress_size > MAX_RATIO:
        reject(_("%(name)s is compressed suspiciously well (zip bomb?).")
               % {"name": member.filename})
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
