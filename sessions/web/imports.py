"""Web pages to import packing lists: upload → (mapping step when needed) → preview → result.

Nothing is saved before the preview page has shown what the file holds (orders, lines, units,
couriers) and what it overlaps with, and the supervisor has chosen: import, or, when orders
are already in a list that has not ended, "only the new orders" or "replace the not-started
list" (sessions.imports.guard, through the one dispatcher). An identical file is not imported
again: the preview says when and as what it was.

The uploaded file is kept between the steps under MEDIA_ROOT/uploads/<random hex>.<ext> (never
in the session cookie), with a small JSON sidecar naming the client, the original file name,
the user and the chosen column mapping (a server session folder is kept as its name only);
both are removed after the import and any left-overs older than a day are swept on the next
upload. The upload form also chooses the session: the client's open session of today (the
default on this page) or a new one (`add_to_open_session` in the sidecar). Views stay thin:
everything is done by the importers in `sessions.imports`.
"""

import json
import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from profiles.models import Client
from sessions.errors import DuplicateOrders, ImportRejected, MappingRequired, PackingError
from sessions.imports.build import todays_open_session
from sessions.imports.dispatch import ACCEPTED_SUFFIXES, import_file
from sessions.imports.excel import preview
from sessions.imports.guard import CHOICES
from sessions.imports.mapping import (
    ALL_COLUMNS,
    guess_mapping,
    missing_standard,
    required_columns,
)
from sessions.imports.shopify import server_session_folders, server_session_path
from sessions.models import Order, PackingSession
from sessions.web.access import supervisor_required

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
STALE_SECONDS = 24 * 3600


OPEN_SESSION, NEW_SESSION = "open", "new"


class UploadForm(forms.Form):
    """Client, file, and which session the list goes to. The client is preselected when there
    is only one; the list joins today's open session of the client by default (27 files used to
    make 27 sessions in a day); a Shopify Tool session keeps its own."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.filter(active=True),
                                    to_field_name="code")
    file = forms.FileField(label=_("File"), help_text=_(
        "An Excel/CSV packing list (.xlsx, .xls, .csv), a packing-list JSON or a zipped "
        "Shopify Tool session."))
    session = forms.ChoiceField(
        label=_("Session"), widget=forms.RadioSelect, initial=OPEN_SESSION, required=False,
        choices=[(OPEN_SESSION, _("Add the list to the client's open session of today (a new "
                                  "one is made when there is none)")),
                 (NEW_SESSION, _("Make a new session for this file"))],
        help_text=_("A zipped Shopify Tool session is always imported as its own session."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clients = list(self.fields["client"].queryset[:2])
        if len(clients) == 1:
            self.fields["client"].initial = clients[0].code
            self.fields["client"].empty_label = None


class MappingForm(forms.Form):
    """One select per column (standard ones, then Notes, Tags, Country); the importer checks
    that the required ones are chosen and that no column is chosen twice."""

    def __init__(self, headers, *args, initial_mapping=None, default_courier="", **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(h, h) for h in headers]
        required = required_columns(default_courier)
        for standard in ALL_COLUMNS:
            self.fields[standard] = forms.ChoiceField(
                label=standard, choices=choices, required=False,
                initial=(initial_mapping or {}).get(standard, ""),
                help_text="" if standard in required else (
                    _("optional: the client's default courier is %(courier)s")
                    % {"courier": default_courier} if standard == "Courier"
                    else _("optional")))


def upload_dir():
    path = Path(settings.MEDIA_ROOT) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep_stale_uploads(folder):
    cutoff = time.time() - STALE_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _write_meta(token, meta):
    (upload_dir() / f"{token}.meta.json").write_text(json.dumps(meta), encoding="utf-8")


def keep_upload(upload, client, user, add_to_open_session=False):
    """Store the upload under a random name; returns its token."""
    folder = upload_dir()
    sweep_stale_uploads(folder)
    token = secrets.token_hex(16)
    suffix = Path(upload.name).suffix.lower()
    with open(folder / f"{token}{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    _write_meta(token, {"client": client.code, "name": Path(upload.name).name,
                        "user": user.pk, "suffix": suffix,
                        "add_to_open_session": add_to_open_session})
    return token


def keep_server_folder(client, folder, user):
    """Remember a chosen server session folder (by its listed name) for the preview."""
    server_session_path(client, folder)  # only names the listing offers
    sweep_stale_uploads(upload_dir())
    token = secrets.token_hex(16)
    _write_meta(token, {"client": client.code, "name": folder, "user": user.pk,
                        "folder": folder})
    return token


def kept_upload(token, user):
    """(path, meta) of a kept upload (or chosen server folder) of this user, or 404."""
    if not TOKEN_RE.match(token):
        raise Http404
    meta_path = upload_dir() / f"{token}.meta.json"
    if not meta_path.is_file():
        raise Http404
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user") != user.pk:
        raise Http404
    if meta.get("folder"):
        client = get_object_or_404(Client, code=meta["client"])
        try:
            return server_session_path(client, meta["folder"]), meta
        except ImportRejected:
            raise Http404 from None
    if meta.get("suffix") not in ACCEPTED_SUFFIXES:
        raise Http404
    return upload_dir() / f"{token}{meta['suffix']}", meta


def drop_upload(token):
    for path in upload_dir().glob(f"{token}*"):
        path.unlink(missing_ok=True)


def run_import(client, path, meta, user, mapping=None, on_duplicates="", preview=False):
    return import_file(client, path, name=meta["name"], mapping=mapping or meta.get("mapping"),
                       user=user, on_duplicates=on_duplicates, preview=preview,
                       add_to_open_session=bool(meta.get("add_to_open_session")))


def to_preview(client, token, request):
    """After the file is kept: the mapping step when needed, else the preview (or errors)."""
    path, meta = kept_upload(token, request.user)
    try:
        run_import(client, path, meta, request.user, preview=True)
    except MappingRequired:
        return redirect("import-mapping", token=token)
    except ImportRejected as exc:
        drop_upload(token)
        return exc.details["errors"]
    return redirect("import-preview", token=token)


@supervisor_required
def import_upload(request):
    """Step 1: choose a client and a file; then its mapping (if needed) and its preview."""
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        client = form.cleaned_data["client"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            errors = [{"message": _("Unsupported file type: upload .xlsx, .xls, .csv, .json or "
                                    ".zip.")}]
        elif upload.size > settings.PACKER_IMPORT_MAX_BYTES:
            errors = [{"message": _("The file is larger than the limit of %(mb).0f MB.")
                       % {"mb": settings.PACKER_IMPORT_MAX_BYTES / 1e6}}]
        else:
            token = keep_upload(upload, client, request.user,
                                add_to_open_session=form.cleaned_data["session"] == OPEN_SESSION)
            outcome = to_preview(client, token, request)
            if not isinstance(outcome, list):
                return outcome
            errors = outcome
    return render(request, "sessions/import_upload.html", {"form": form, "errors": errors})


@supervisor_required
def import_mapping(request, token):
    """Step 2 (only for files with other headers): which column is which, with a preview."""
    path, meta = kept_upload(token, request.user)
    client = get_object_or_404(Client, code=meta["client"])
    try:
        headers, rows = preview(path, name=meta["name"])
    except ImportRejected as exc:
        drop_upload(token)
        return render(request, "sessions/import_upload.html",
                      {"form": UploadForm(), "errors": exc.details["errors"]})
    default_courier = client.settings_or_default().default_courier.strip()
    form = MappingForm(headers, request.POST or None, initial_mapping=guess_mapping(headers),
                       default_courier=default_courier)
    errors = []
    if request.method == "POST" and form.is_valid():
        mapping = {k: v for k, v in form.cleaned_data.items() if v}
        try:
            run_import(client, path, meta, request.user, mapping=mapping, preview=True)
        except ImportRejected as exc:
            errors = exc.details["errors"]
        else:
            _write_meta(token, {**meta, "mapping": mapping})
            return redirect("import-preview", token=token)
    return render(request, "sessions/import_mapping.html", {
        "form": form, "errors": errors, "headers": headers, "rows": rows,
        "file_name": meta["name"], "client": client,
        "missing": missing_standard(headers, default_courier),
    })


@supervisor_required
def import_preview(request, token):
    """Step 3: what the file holds and overlaps with; nothing is saved until a choice is made
    (import; or, with overlaps, only the new orders / replace the not-started list)."""
    path, meta = kept_upload(token, request.user)
    client = get_object_or_404(Client, code=meta["client"])
    errors, refusal = [], None
    if request.method == "POST":
        if "cancel" in request.POST:
            drop_upload(token)
            return redirect("import-upload")
        choice = request.POST.get("on_duplicates", "")
        try:
            result = run_import(client, path, meta, request.user,
                                on_duplicates=choice if choice in CHOICES else "")
        except DuplicateOrders as exc:  # changed since the preview: show it again
            refusal = exc.message
        except PackingError as exc:
            errors = exc.details.get("errors") or [{"message": exc.message}]
        else:
            drop_upload(token)
            return redirect_to_result(result)
    try:
        summary = run_import(client, path, meta, request.user, preview=True)
    except PackingError as exc:
        drop_upload(token)
        return render(request, "sessions/import_upload.html", {
            "form": UploadForm(), "errors": exc.details.get("errors") or [
                {"message": exc.message}]})
    labels = dict(Order.Status.choices)
    for overlap in summary.get("overlaps", []):
        overlap["status_label"] = labels.get(overlap["status"], overlap["status"])
    return render(request, "sessions/import_preview.html", {
        "preview": summary, "client": client, "file_name": meta["name"], "errors": errors,
        "refusal": refusal, **target_session(client, path, meta),
    })


def target_session(client, path, meta):
    """Where the list will go, for the preview: {"target_known": bool, "joining": session}."""
    if meta.get("folder") or Path(path).suffix.lower() in (".zip", ".json"):
        # A Shopify session keeps its own; a packing-list JSON may name its session.
        return {"target_known": False, "joining": None}
    joining = (todays_open_session(client, lock=False)
               if meta.get("add_to_open_session") else None)
    return {"target_known": True, "joining": joining}


def redirect_to_result(result):
    if result.duplicate_of:
        url = reverse("import-result", args=[result.session.pk])
        return redirect(f"{url}?duplicate=1")
    ids = ",".join(str(item["id"]) for item in result.lists)
    url = reverse("import-result", args=[result.session.pk])
    query = f"?new={ids}&skipped={len(result.skipped_lists)}"
    query += f"&left_out={len(result.details.get('left_out', []))}"
    query += f"&replaced={len(result.details.get('replaced', []))}"
    return redirect(url + query)


@supervisor_required
def import_result(request, session_id):
    """Step 3: what was created (new lists highlighted), with links to the lists and labels."""
    session = get_object_or_404(PackingSession.objects.select_related("client"), pk=session_id)
    new_ids = {int(x) for x in request.GET.get("new", "").split(",") if x.isdigit()}
    lists = list(session.lists.order_by("position", "id"))
    for packing_list in lists:
        packing_list.is_new = packing_list.pk in new_ids
        packing_list.order_count = packing_list.orders.count()
    return render(request, "sessions/import_result.html", {
        "session": session, "lists": lists, "new_count": len(new_ids),
        "skipped": request.GET.get("skipped", "0"), "duplicate": "duplicate" in request.GET,
        "left_out": request.GET.get("left_out", "0"), "replaced": request.GET.get("replaced", "0"),
    })


@supervisor_required
def import_server_session(request):
    """Import a Shopify Tool session straight from the file server's Sessions/ folder.

    Only folders found under settings.PACKER_SHOPIFY_SESSIONS_ROOT/CLIENT_{code} can be chosen;
    the page never takes a path from the browser.
    """
    clients = Client.objects.filter(active=True)
    client = clients.filter(code=request.POST.get("client") or request.GET.get("client")).first()
    errors = []
    if request.method == "POST" and client is not None:
        try:
            token = keep_server_folder(client, request.POST.get("folder", ""), request.user)
        except ImportRejected as exc:
            errors = exc.details["errors"]
        else:
            outcome = to_preview(client, token, request)
            if not isinstance(outcome, list):
                return outcome
            errors = outcome
    return render(request, "sessions/import_server.html", {
        "clients": clients, "client": client, "errors": errors,
        "configured": bool(settings.PACKER_SHOPIFY_SESSIONS_ROOT),
        "folders": server_session_folders(client) if client else [],
    })
