"""Web pages to import packing lists: upload → (mapping step when needed) → result.

The uploaded file is kept between the upload and the mapping step under
MEDIA_ROOT/uploads/<random hex>.<ext> (never in the session cookie), with a small JSON sidecar
naming the client, the original file name and the user; both are removed after the import and
any left-overs older than a day are swept on the next upload. Views stay thin: everything is
done by the importers in `sessions.imports`.
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
from sessions.errors import ImportRejected, MappingRequired
from sessions.imports.dispatch import ACCEPTED_SUFFIXES, import_file
from sessions.imports.excel import preview
from sessions.imports.mapping import STANDARD_COLUMNS, guess_mapping, missing_standard
from sessions.imports.shopify import (
    import_shopify_session,
    server_session_folders,
    server_session_path,
)
from sessions.models import PackingSession
from sessions.web.access import supervisor_required

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
STALE_SECONDS = 24 * 3600


class UploadForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.filter(active=True),
                                    to_field_name="code")
    file = forms.FileField(label=_("File"), help_text=_(
        "An Excel/CSV packing list (.xlsx, .xls, .csv), a packing-list JSON or a zipped "
        "Shopify Tool session."))


class MappingForm(forms.Form):
    """One select per standard column; the importer checks all five are chosen and distinct."""

    def __init__(self, headers, *args, initial_mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(h, h) for h in headers]
        for standard in STANDARD_COLUMNS:
            self.fields[standard] = forms.ChoiceField(
                label=standard, choices=choices, required=False,
                initial=(initial_mapping or {}).get(standard, ""))


def upload_dir():
    path = Path(settings.MEDIA_ROOT) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep_stale_uploads(folder):
    cutoff = time.time() - STALE_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep_upload(upload, client, user):
    """Store the upload under a random name; returns its token."""
    folder = upload_dir()
    sweep_stale_uploads(folder)
    token = secrets.token_hex(16)
    suffix = Path(upload.name).suffix.lower()
    with open(folder / f"{token}{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    meta = {"client": client.code, "name": Path(upload.name).name, "user": user.pk,
            "suffix": suffix}
    (folder / f"{token}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def kept_upload(token, user):
    """(path, meta) of a kept upload of this user, or 404."""
    if not TOKEN_RE.match(token):
        raise Http404
    meta_path = upload_dir() / f"{token}.meta.json"
    if not meta_path.is_file():
        raise Http404
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user") != user.pk or meta.get("suffix") not in ACCEPTED_SUFFIXES:
        raise Http404
    return upload_dir() / f"{token}{meta['suffix']}", meta


def drop_upload(token):
    for path in upload_dir().glob(f"{token}*"):
        path.unlink(missing_ok=True)


def run_import(client, path, meta, user, mapping=None):
    return import_file(client, path, name=meta["name"], mapping=mapping, user=user)


@supervisor_required
def import_upload(request):
    """Step 1: choose a client and a file; imports at once when no mapping is needed."""
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
            token = keep_upload(upload, client, request.user)
            path, meta = kept_upload(token, request.user)
            try:
                result = run_import(client, path, meta, request.user)
            except MappingRequired:
                return redirect("import-mapping", token=token)
            except ImportRejected as exc:
                errors = exc.details["errors"]
                drop_upload(token)
            else:
                drop_upload(token)
                return redirect_to_result(result)
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
    form = MappingForm(headers, request.POST or None, initial_mapping=guess_mapping(headers))
    errors = []
    if request.method == "POST" and form.is_valid():
        mapping = {k: v for k, v in form.cleaned_data.items() if v}
        try:
            result = run_import(client, path, meta, request.user, mapping=mapping)
        except ImportRejected as exc:
            errors = exc.details["errors"]
        else:
            drop_upload(token)
            return redirect_to_result(result)
    return render(request, "sessions/import_mapping.html", {
        "form": form, "errors": errors, "headers": headers, "rows": rows,
        "file_name": meta["name"], "client": client, "missing": missing_standard(headers),
    })


def redirect_to_result(result):
    ids = ",".join(str(item["id"]) for item in result.lists)
    url = reverse("import-result", args=[result.session.pk])
    return redirect(f"{url}?new={ids}&skipped={len(result.skipped_lists)}")


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
        "skipped": request.GET.get("skipped", "0"),
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
            path = server_session_path(client, request.POST.get("folder", ""))
            result = import_shopify_session(client, path, user=request.user)
        except ImportRejected as exc:
            errors = exc.details["errors"]
        else:
            return redirect_to_result(result)
    return render(request, "sessions/import_server.html", {
        "clients": clients, "client": client, "errors": errors,
        "configured": bool(settings.PACKER_SHOPIFY_SESSIONS_ROOT),
        "folders": server_session_folders(client) if client else [],
    })
