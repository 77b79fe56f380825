"""The page a refused request gets (403): in the site's layout, saying what the account's role
allows, with a way back to the station.

A packer who opened /floor/ or /imports/ used to read a bare "Supervisors only."; the page now
names the role, lists the pages that role may open (decided here, from `profiles.roles`, not in
the template) and links back to the station. An account without a floor role gets the
refusal and nothing else: no link would open for it.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from profiles.roles import ADMIN, PACKER, SUPERVISOR, role_of

ROLE_NAMES = {PACKER: _("packer"), SUPERVISOR: _("supervisor"), ADMIN: _("admin")}
PACKER_PAGES = [
    ("station-pick", _("Station"), _("pack the lists of a session at a station")),
    ("session-browser", _("Sessions"), _("browse sessions and download reports and labels")),
    ("dashboard", _("Dashboard"), _("see your own figures")),
]
SUPERVISOR_PAGES = [
    ("station-pick", _("Station"), _("pack at a station and approve at it")),
    ("floor", _("Floor"), _("watch every station and release claims")),
    ("session-browser", _("Sessions"), _("browse sessions and download reports and labels")),
    ("import-upload", _("Import"), _("import packing lists")),
    ("dashboard", _("Dashboard"), _("see everyone's figures")),
]
PAGES = {PACKER: PACKER_PAGES, SUPERVISOR: SUPERVISOR_PAGES, ADMIN: SUPERVISOR_PAGES}


def permission_denied(request, exception=None):
    """handler403 (packer/urls.py): the refusal, the role, what it allows, the way back."""
    role = role_of(getattr(request, "user", None))
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {
        "reason": reason or _("You are not allowed to do that."),
        "role_name": ROLE_NAMES.get(role),
        "allowed": [{"url": reverse(name), "label": label, "what": what}
                    for name, label, what in PAGES.get(role, [])],
        "station_url": reverse("station-pick") if role else None,
        "show_nav": role is not None,
    }, status=403)
