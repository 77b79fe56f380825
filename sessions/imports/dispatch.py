"""Which importer a file needs: the one decision for the web page, the API and `import_list`.

A Shopify Tool session (a folder or its .zip), a packing-list JSON, or an Excel/CSV list. Each
entry point used to decide this on its own (three places, three lists of suffixes); now each
hands the file here.
"""

import json
from pathlib import Path

from django.utils.translation import gettext as _

from sessions.imports.excel import import_excel
from sessions.imports.jsonlists import import_packing_list_json
from sessions.imports.shopify import import_shopify_session
from sessions.imports.tables import EXCEL_SUFFIXES, read_bytes, reject

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


def import_file(client, source, *, name=None, mapping=None, user=None, list_name=None,
                session_external_id=None):
    """Import `source` (a path, a folder, or an uploaded file) for `client` with the importer
    its kind needs; returns the ImportResult. `name` is the original file name when `source`
    is a stored copy; `mapping` applies to spreadsheets, `list_name` and
    `session_external_id` to a packing-list JSON (defaults: the file's own fields)."""
    path = Path(source) if isinstance(source, (str, Path)) else None
    name = name or (path.name if path is not None else getattr(source, "name", "")) or "upload"
    kind = kind_of(name, is_dir=path is not None and path.is_dir())
    if kind == SESSION:
        return import_shopify_session(client, source, user=user, name=name)
    if kind == PACKING_LIST_JSON:
        data = _json(source, name)
        list_name = list_name or (isinstance(data, dict) and data.get("list_name")) \
            or Path(name).stem
        return import_packing_list_json(client, data, name=list_name, user=user,
                                        session_external_id=session_external_id)
    return import_excel(client, source, mapping=mapping, user=user, name=name)


def _json(source, name):
    data, _name = read_bytes(source, name)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        reject(_("%(name)s is not valid JSON: %(error)s") % {"name": name, "error": exc})
