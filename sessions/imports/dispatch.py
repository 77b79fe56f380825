"""Which importer a file needs, and the same work never twice: the one way in for the web
page, the API and `import_list`.

A Shopify Tool session (a folder or its .zip), a packing-list JSON (a file, or a program's
push), or an Excel/CSV list. Each entry point used to decide this on its own (three places,
three lists of suffixes); now each hands the file here. Here the content is hashed: an
identical file or push of the client is answered with its first import (`duplicate_of`) and
nothing is created; every importer then gets a Guard (sessions.imports.guard) that applies the
overlapping-orders rule with the caller's choice (`on_duplicates`: "new_only" or "replace"),
or stops before saving anything with a preview (`preview=True`).
"""

import io
from pathlib import Path

from django.utils.translation import gettext as _

from sessions.imports.build import ImportResult
from sessions.imports.excel import import_excel
from sessions.imports.guard import (
    Guard,
    PreviewReady,
    digest,
    duplicate_of,
    earlier_import,
    folder_digest,
)
from sessions.imports.jsonlists import import_packing_list_json
from sessions.imports.shopify import import_shopify_session, load_session_files
from sessions.imports.tables import EXCEL_SUFFIXES, read_bytes, reject
from sessions.jsontext import loads

SESSION = "session"
PACKING_LIST_JSON = "json"
SPREADSHEET = "spreadsheet"
ACCEPTED_SUFFIXES = (*EXCEL_SUFFIXES, ".json", ".zip")


def kind_of(name, *, is_dir=False):
    """The kind of import a file (by name) or a folder needs; ImportRejected if none."""
    suffix = Path(str(name)).suffix.lower()
    if is_dir or suffix == ".zip":
        return SESSION
    if suffix == ".json":
        return PACKING_LIST_JSON
    if suffix in EXCEL_SUFFIXES:
        return SPREADSHEET
    reject(_("Unsupported file type '%(suffix)s': use .xlsx, .xls, .csv, .json, a session .zip "
             "or a session folder.") % {"suffix": suffix or str(name)})


# Fields of a push that say how to import it, not what: not part of its content hash.
CONTROL_FIELDS = ("client", "on_duplicates", "preview", "add_to_open_session")


def import_file(client, source, *, name=None, mapping=None, user=None, list_name=None,
                session_external_id=None, on_duplicates="", preview=False,
                add_to_open_session=False):
    """Import `source` (a path, a folder, or an uploaded file) for `client` with the importer
    its kind needs; returns the ImportResult (its `duplicate_of` set when the same content
    was imported before), or with `preview` the preview dict. `name` is the original file
    name when `source` is a stored copy; `mapping` applies to spreadsheets, `list_name` and
    `session_external_id` to a packing-list JSON (defaults: the file's own fields).
    `add_to_open_session` puts a spreadsheet's or a packing-list JSON's list (one without a
    session id of its own) into the client's open session of today instead of a new session
    (a Shopify Tool session keeps its own)."""
    path = Path(source) if isinstance(source, (str, Path)) else None
    name = name or (path.name if path is not None else getattr(source, "name", "")) or "upload"
    is_dir = path is not None and path.is_dir()
    kind = kind_of(name, is_dir=is_dir)
    if is_dir:
        content_hash = folder_digest(load_session_files(path))
    else:
        data, name = read_bytes(source, name)
        content_hash, source = digest(data), io.BytesIO(data)
    guard = Guard(client, content_hash=content_hash, source_name=name, user=user,
                  choice=on_duplicates or "", preview=preview)
    if kind == SESSION:
        return _once(guard, lambda: import_shopify_session(client, source, user=user, name=name,
                                                           guard=guard))
    if kind == PACKING_LIST_JSON:
        data = _json(source, name)
        list_name = list_name or (isinstance(data, dict) and data.get("list_name")) \
            or Path(name).stem
        return _once(guard, lambda: import_packing_list_json(
            client, data, name=list_name, user=user, session_external_id=session_external_id,
            guard=guard, add_to_open_session=add_to_open_session))
    return _once(guard, lambda: import_excel(client, source, mapping=mapping, user=user,
                                             name=name, guard=guard,
                                             add_to_open_session=add_to_open_session))


def import_push(client, data, *, session_external_id=None, list_name=None, user=None,
                on_duplicates="", preview=False, add_to_open_session=False):
    """Import a packing list a program pushed as JSON (POST /api/v1/imports/packing-list/);
    the same answers as import_file."""
    content = ({k: v for k, v in data.items() if k not in CONTROL_FIELDS}
               if isinstance(data, dict) else data)
    guard = Guard(client, content_hash=digest(content), user=user, choice=on_duplicates or "",
                  source_name=str(list_name or (isinstance(data, dict)
                                                and data.get("list_name")) or "push"),
                  preview=preview)
    return _once(guard, lambda: import_packing_list_json(
        client, data, session_external_id=session_external_id, name=list_name, user=user,
        guard=guard, add_to_open_session=add_to_open_session))


def _once(guard, run):
    """The earlier import of the same content, the preview, or the import itself."""
    earlier = earlier_import(guard.client, guard.content_hash)
    if earlier is not None:
        first = duplicate_of(earlier)
        if guard.preview:
            return {"duplicate_of": first}
        return ImportResult(session=earlier.session, lists=[], duplicate_of=first,
                            created_session=False)
    try:
        return run()
    except PreviewReady as ready:
        return ready.preview


def _json(source, name):
    data, _name = read_bytes(source, name)
    try:
        return loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        reject(_("%(name)s is not valid JSON: %(error)s") % {"name": name, "error": exc})
