"""Import a Shopify Tool session (folder on the server, or its zip) as one PackingSession.

One PackingList per `packing_lists/*.json` (name = `list_name` or the file stem). Order metadata
missing from older list variants (P0/P1) is filled from `analysis/analysis_data.json` when that
file has it. A session with no list files but an analysis imports the old "whole session" mode
as one list named `full_session`.

Re-importing the same session (client + session name) is idempotent: lists already present are
left untouched (they may be in packing) and only lists that appeared since are added.
"""

from datetime import datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.normalize import normalize_order_number
from sessions.errors import ImportRejected
from sessions.imports.archive import read_folder, read_zip
from sessions.imports.build import (
    ImportResult,
    announce_lists,
    build_list,
    create_session,
    list_summary,
)
from sessions.imports.guard import Guard
from sessions.imports.jsonlists import json_to_spec, order_spec, sanitize
from sessions.imports.limits import ImportCaps
from sessions.imports.specs import ErrorList, clean_text
from sessions.imports.tables import read_bytes
from sessions.jsontext import loads
from sessions.models import PackingSession

FULL_SESSION_LIST = "full_session"
ENRICHED_FIELDS = ("country", "order_type", "notes", "system_note", "box")


def load_session_files(path_or_zip, name=None):
    """SessionFiles from a folder path, a .zip path, or an uploaded/binary zip file object."""
    if isinstance(path_or_zip, (str, Path)):
        path = Path(path_or_zip)
        if path.is_dir():
            return read_folder(path)
        if not path.is_file():
            raise ImportRejected([{"row": None, "column": None,
                                   "message": _("Not found: %(path)s") % {"path": path}}])
    data, name = read_bytes(path_or_zip, name)
    return read_zip(data, name)


def parse_json(content, filename, errors):
    """Parsed JSON (NaN tokens allowed, as Python wrote them), or None with an error."""
    try:
        return loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        errors.add(_("%(file)s is not valid JSON: %(error)s") % {"file": filename, "error": exc},
                   file=filename)
        return None


def session_identity(info, folder_name, client, errors):
    """The session's external id, checking that the folder is a Shopify session of `client`."""
    if not isinstance(info, dict):
        errors.add(_("session_info.json must be a JSON object."), file="session_info.json")
        return folder_name
    tool = info.get("created_by_tool")
    if tool not in (None, "shopify"):
        errors.add(_("session_info.json was written by '%(tool)s', not by the Shopify Tool.")
                   % {"tool": tool}, file="session_info.json", column="created_by_tool")
    owner = clean_text(info.get("client_id")).upper()
    if owner and owner != client.code:
        errors.add(_("This session belongs to client %(owner)s, not %(client)s.")
                   % {"owner": owner, "client": client.code},
                   file="session_info.json", column="client_id")
    return clean_text(info.get("session_name")) or folder_name


def import_shopify_session(client, path_or_zip, *, user=None, name=None, guard=None):
    """Import (or re-import) a Shopify Tool session for `client`; returns an ImportResult.

    `name` is the zip's original file name when `path_or_zip` is a stored copy (its stem is
    the session id when session_info.json has no session_name and the zip has no folder).
    Every problem of every new list file is collected (with `file`, `row`, `column`) and
    reported at once; nothing is written unless all new lists are valid. Orders already in a
    list that has not ended are refused unless `guard` carries the caller's choice
    (sessions.imports.guard).
    """
    guard = guard or Guard(client, user=user)
    files = load_session_files(path_or_zip, name)
    errors = ErrorList()
    info = parse_json(files.session_info, "session_info.json", errors)
    external_id = session_identity(info, files.folder_name, client, errors)[:200]
    analysis = parse_json(files.analysis, ANALYSIS_NAME, errors) if files.analysis else None
    errors.raise_if_any()
    existing = PackingSession.objects.filter(client=client, external_id=external_id).first()
    if existing is not None and existing.source != PackingSession.Source.SHOPIFY:
        raise ImportRejected([{"row": None, "column": None, "message": _(
            "Client %(client)s already has a session %(id)s that was not imported from the "
            "Shopify Tool.") % {"client": client.code, "id": external_id}}])
    present = set(existing.lists.values_list("name", flat=True)) if existing else set()
    specs, skipped = _list_specs(files, analysis, present, errors)
    if not specs and not skipped and not errors:
        errors.add(_("The session has no packing lists (packing_lists/*.json) and no analysis "
                     "orders."))
    errors.raise_if_any()
    try:
        with transaction.atomic():
            session, created = _session(client, external_id, files, info, analysis, user)
            # Re-read under the session's row lock: a concurrent import may have added some.
            present = set(session.lists.values_list("name", flat=True))
            skipped += [spec.name for spec in specs if spec.name in present]
            specs = guard.admit([spec for spec in specs if spec.name not in present],
                                into=session)
            built = [build_list(session, spec) for spec in specs]
            guard.record(session, built, specs)
            announce_lists(built)
            lists = [list_summary(pl, spec) for pl, spec in zip(built, specs)]
    except IntegrityError as exc:  # the same session imported concurrently
        raise ImportRejected([{"row": None, "column": None, "message": _(
            "The session changed while importing; try again. (%(error)s)") % {"error": exc}}])
    return ImportResult(session=session, lists=lists, skipped_lists=skipped,
                        created_session=created, details=guard.details)


ANALYSIS_NAME = "analysis/analysis_data.json"


def _list_specs(files, analysis, present, errors):
    """Specs of the lists not yet in the session, and the names of those already there."""
    specs, skipped, caps = [], [], ImportCaps()
    sources = []
    for filename, content in files.lists.items():
        sources.append((filename, content, False))
    if not sources and isinstance(analysis, dict) and analysis.get("orders"):
        sources.append((ANALYSIS_NAME, None, True))
    by_number = _analysis_orders(analysis)
    for filename, content, full_session in sources:
        file_errors = ErrorList()
        data = analysis if full_session else parse_json(content(), filename, file_errors)
        caps.expect(data)
        if data is None:
            errors.items.extend(file_errors.items)
            continue
        name = FULL_SESSION_LIST if full_session else _list_name(data, filename)
        if name in present or name in {s.name for s in specs}:
            skipped.append(name)
            continue
        spec = json_to_spec(data, name, file_errors, full_session=full_session,
                            source_file=f"packing_lists/{filename}" if not full_session
                            else filename)
        for item in file_errors.items:
            item.setdefault("file", spec.source_file)
        errors.items.extend(file_errors.items)
        _enrich(spec, by_number)
        specs.append(caps.count(spec))
    return specs, skipped


def _list_name(data, filename):
    name = clean_text(data.get("list_name")) if isinstance(data, dict) else ""
    return (name or PurePosixPath(filename).stem)[:300]


def _analysis_orders(analysis):
    if not isinstance(analysis, dict) or not isinstance(analysis.get("orders"), list):
        return {}
    out = {}
    for raw in analysis["orders"]:
        if isinstance(raw, dict) and clean_text(raw.get("order_number")):
            out[normalize_order_number(clean_text(raw["order_number"]))] = raw
    return out


def _enrich(spec, by_number):
    """Fill metadata an older list variant lacks (country, tags, notes …) from the analysis."""
    if not by_number:
        return
    for order in spec.orders:
        raw = by_number.get(normalize_order_number(order.number))
        if raw is None:
            continue
        full = order_spec(dict(raw, items=[]), 0, ErrorList(), full_session=True)
        for name in ENRICHED_FIELDS:
            if not getattr(order, name) and getattr(full, name):
                setattr(order, name, getattr(full, name))
        if not order.tags:
            order.tags = full.tags
        if not order.internal_tags:
            order.internal_tags = full.internal_tags


def _session(client, external_id, files, info, analysis, user):
    session = PackingSession.objects.select_for_update().filter(
        client=client, external_id=external_id).first()
    if session is not None:
        return session, False
    details = {"session_info": sanitize(info) if isinstance(info, dict) else {}}
    if isinstance(analysis, dict):
        details["analysis"] = {k: sanitize(analysis.get(k)) for k in (
            "analyzed_at", "total_orders", "fulfillable_orders", "not_fulfillable_orders")}
    session = create_session(client, external_id=external_id,
                             source=PackingSession.Source.SHOPIFY,
                             source_path=files.folder_name, info=details, user=user,
                             created_at=parse_time(info.get("created_at")
                                                   if isinstance(info, dict) else None))
    return session, True


def parse_time(value):
    """An ISO time of the Shopify Tool (naive = local time until 2026-07-27), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def server_sessions_dir(client):
    """Sessions/CLIENT_{code} under settings.PACKER_SHOPIFY_SESSIONS_ROOT, or None."""
    root = getattr(settings, "PACKER_SHOPIFY_SESSIONS_ROOT", "")
    if not root:
        return None
    folder = Path(root) / f"CLIENT_{client.code}"
    return folder if folder.is_dir() else None


def server_session_folders(client, limit=60):
    """The client's Shopify Tool session folders on the server, newest first, each with how
    many list files it has and how many of them are already imported."""
    folder = server_sessions_dir(client)
    if folder is None:
        return []
    found = sorted((p for p in folder.iterdir()
                    if p.is_dir() and not p.is_symlink() and (p / "session_info.json").is_file()),
                   key=lambda p: p.name, reverse=True)[:limit]
    imported = dict(PackingSession.objects.filter(
        client=client, external_id__in=[p.name for p in found]).values_list("external_id", "pk"))
    rows = []
    for path in found:
        lists_dir = path / "packing_lists"
        names = sorted(p.stem for p in lists_dir.glob("*.json")) if lists_dir.is_dir() else []
        rows.append({"name": path.name, "lists": names, "session": imported.get(path.name)})
    return rows


def server_session_path(client, name):
    """The folder of one listed session (only names from the listing: no path from a user)."""
    for row in server_session_folders(client, limit=10_000):
        if row["name"] == name:
            return server_sessions_dir(client) / name
    raise ImportRejected([{"row": None, "column": None, "message": _(
        "No Shopify Tool session '%(name)s' on the server for client %(client)s.")
        % {"name": name, "client": client.code}}])
