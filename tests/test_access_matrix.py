"""Who sees what (issue 10, scenario 45): ONE walk over every URL pattern of the project (Django's
resolver) and every WebSocket route, for an anonymous visitor, a signed-in account without a
floor role, a packer, a supervisor and an admin.

A pattern missing from MATRIX fails the test: a new page cannot be added without deciding who
sees it. The admin site (Django's own, every model registered there) follows one rule: only
staff get past its door, a role-less account is refused like everywhere else, and a
supervisor or admin gets exactly what their Django model permissions (synced from
profiles.roles) allow.
"""

import io
import re

import openpyxl
import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, User
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from profiles.models import Worker
from profiles.roles import ADMIN, PACKER, SUPERVISOR, assign_role
from sessions.live.routing import websocket_urlpatterns
from sessions.web.terminal import STATION_COOKIE
from tests.builders import build_client, build_list, build_session, build_station, claimed

ROLES = ("anonymous", "no_role", "packer", "supervisor", "admin")
LOGIN = "login"  # a redirect to the sign-in page (anonymous)

# Expected answer to a GET, per role, for every named URL of the project (admin site below).
# 405: the page exists for that role but only takes POST; "login": redirected to sign in.
EVERYONE = (200, 200, 200, 200, 200)
PAGE = (LOGIN, 403, 200, 200, 200)  # any floor role
SUPERVISOR_PAGE = (LOGIN, 403, 403, 200, 200)
API = (401, 403, 200, 200, 200)
API_POST = (401, 403, 405, 405, 405)
API_SUPERVISOR_POST = (401, 403, 403, 405, 405)
MATRIX = {
    "healthz": EVERYONE,
    "readyz": EVERYONE,  # the body says only "ok"/"unavailable"; detail is for supervisors
    "set_language": (302, 302, 302, 302, 302),  # switches the language before signing in
    "login": EVERYONE,
    "logout": (LOGIN, 405, 405, 405, 405),  # POST only; a role-less account may sign out
    "home": PAGE,
    "station-pick": PAGE,
    "station-setup": PAGE,
    "station-go": (LOGIN, 403, 302, 302, 302),  # to the list, or back to the pick page
    "station-list": PAGE,
    "station-summary": PAGE,
    "floor": SUPERVISOR_PAGE,
    "floor-reviews": SUPERVISOR_PAGE,
    "floor-wall": SUPERVISOR_PAGE,  # the wall display: a supervisor's account on a TV
    "floor-alert-ack": (LOGIN, 403, 403, 405, 405),  # POST only
    "floor-alert-mute": (LOGIN, 403, 403, 405, 405),
    "order-review": (LOGIN, 403, 403, 405, 405),
    "session-browser": PAGE,
    "list-detail": PAGE,
    "list-report": PAGE,
    "list-labels-pdf": PAGE,
    "list-labels-zpl": PAGE,
    "order-timeline": PAGE,
    "dashboard": PAGE,
    "dashboard-xlsx": PAGE,
    "dashboard-csv": (LOGIN, 403, 400, 400, 400),  # ?table= is required
    "history-xlsx": PAGE,
    "history-csv": PAGE,
    "import-upload": SUPERVISOR_PAGE,
    "import-server": SUPERVISOR_PAGE,
    "import-mapping": (LOGIN, 403, 403, 404, 404),  # an unknown upload token
    "import-preview": (LOGIN, 403, 403, 404, 404),
    "import-result": SUPERVISOR_PAGE,
    "api-token": (405, 405, 405, 405, 405),  # POST username + password: open by design
    "api-token-revoke": (401, 405, 405, 405, 405),  # POST: any signed-in caller ends its token
    "api-schema": EVERYONE,  # the published contract
    "api-docs": EVERYONE,
    "api-clients": API,
    "api-client": API,
    "api-sessions": API,
    "api-session": API,
    "api-session-progress": API,
    "api-lists": API,
    "api-list": API,
    "api-list-orders": API,
    "api-list-claim": API_POST,
    "api-list-heartbeat": API_POST,
    "api-list-release": API_POST,
    "api-list-takeover": API_POST,
    "api-list-force-release": API_SUPERVISOR_POST,
    "api-list-reassign": API_SUPERVISOR_POST,
    "api-list-scan": API_POST,
    "api-list-action": API_POST,
    "api-list-end": API_POST,
    "api-list-report": API,
    "api-list-summary": API,
    "api-list-metrics": API,
    "api-orders": (401, 403, 400, 400, 400),  # ?client=&number= are required
    "api-order": API,
    "api-order-review": API_SUPERVISOR_POST,
    "api-metrics": API,
    "api-import-list": API_SUPERVISOR_POST,
    "api-import-file": API_SUPERVISOR_POST,
    "api-list-labels": API,
    "api-list-print": API_POST,
    "api-order-label": API,
    "api-command-sheet": API,
    "api-order-slip": API,
    "api-order-print": API_POST,
}

# WebSocket routes: True = accepted, else the close code.
SOCKETS = {
    "ws/floor/": (4401, 4403, 4403, True, True),
    "ws/lists/<int:list_id>/": (4401, 4403, True, True, True),
}


def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, name) of every URL pattern, included ones too, from Django's resolver."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


@pytest.fixture
def world(db, settings, tmp_path):
    """Users of every kind, a terminal's station, and one of every object a URL can name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    users = {"anonymous": AnonymousUser(), "no_role": User.objects.create_user("nobody")}
    for name, role in (("packer", PACKER), ("supervisor", SUPERVISOR), ("admin", ADMIN)):
        user = assign_role(User.objects.create_user(name), role)
        Worker.objects.create(user=user, display_name=name.title())
        users[name] = user
    station = build_station("PC-1")
    client = build_client("M")
    session = build_session(client)
    packing_list = build_list({"A-1": [("SKU-A", 1)]}, session=session, name="DHL_Orders")
    claimed(packing_list)
    order = packing_list.orders.get()
    ids = {"pk": packing_list.pk, "list_id": packing_list.pk, "order_id": order.pk,
           "session_id": session.pk, "token": "0" * 32, "fmt": "zpl"}
    by_name = {"api-client": client.pk, "api-session": session.pk, "api-order": order.pk,
               "api-session-progress": session.pk,
               "api-order-label": order.pk, "api-order-review": order.pk,
               "api-order-slip": order.pk, "api-order-print": order.pk}
    return users, station, ids, by_name


def concrete(route, name, ids, by_name):
    """A real path for a route: its converters filled with ids of the world's objects."""
    def fill(match):
        converter, arg = match.group(1) or "str", match.group(2)
        if name in by_name and arg == "pk":
            return str(by_name[name])
        if arg == "object_id":
            return str(ADMIN_OBJECTS.get(name, "1"))
        return str(ids.get(arg, "1" if converter == "int" else "x"))
    path = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return "/" + re.sub(r"\^|\$|\\", "", path)


ADMIN_OBJECTS = {}


def get(users, station, role, path):
    """GET as that kind of user (one signed-in browser per user and test, at PC-1)."""
    browsers = users.setdefault("_browsers", {})
    if role not in browsers:
        client = Client()
        client.cookies[STATION_COOKIE] = station.name
        if role != "anonymous":
            client.force_login(users[role])
        browsers[role] = client
    return browsers[role].get(path)


def seen(response):
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


def test_every_url_pattern_has_a_decided_access_for_every_kind_of_user(world):
    users, station, ids, by_name = world
    routes = [(route, name) for route, name in url_patterns() if not name.startswith("admin:")]
    undecided = sorted({name for _route, name in routes} - set(MATRIX))
    assert not undecided, f"decide who may open these (add them to MATRIX): {undecided}"
    gone = sorted(set(MATRIX) - {name for _route, name in routes})
    assert not gone, f"no such URL any more: {gone}"
    wrong = []
    for route, name in routes:
        path = concrete(route, name, ids, by_name)
        for role, expected in zip(ROLES, MATRIX[name]):
            answer = seen(get(users, station, role, path))
            if answer != expected:
                wrong.append(f"{name} {path} as {role}: {answer}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def admin_page(name):
    """(ModelAdmin, view) of an admin-site page of a registered model, else (None, name)."""
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model_admin, name[len(prefix):]
    return None, name


def admin_allows(model_admin, view, user):
    """What the model's admin itself decides for this user (read-only logs, import/export)."""
    request = RequestFactory().get("/")
    request.user = user
    decide = {
        "changelist": model_admin.has_view_or_change_permission,
        "add": model_admin.has_add_permission,
        "import": getattr(model_admin, "has_import_permission", None),
        "process_import": getattr(model_admin, "has_import_permission", None),
        "export": getattr(model_admin, "has_export_permission", None),
    }.get(view)
    return None if decide is None else decide(request)


def test_the_admin_site_refuses_everyone_but_staff_and_follows_its_model_admins(world):
    users, station, ids, by_name = world
    routes = [(route, name) for route, name in url_patterns() if name.startswith("admin:")]
    assert len(routes) > 50
    wrong = []
    for route, name in routes:
        path = concrete(route, name, ids, by_name)
        model_admin, view = admin_page(name)
        for role in ROLES:
            answer = seen(get(users, station, role, path))
            if name == "admin:login":
                ok = answer not in (403, 500)  # the admin's own sign-in
            elif name == "admin:logout":
                ok = answer != 500  # (a role-less account signs out at /accounts/logout/)
            elif role == "anonymous":
                ok = answer in (LOGIN, 302)
            elif role == "no_role":
                ok = answer == 403  # refused like every other page
            elif role == "packer":
                ok = answer == 302  # not staff: sent to the admin's own sign-in
            elif model_admin is None or "<" in route:
                ok = answer in (200, 302, 403, 404)  # the site's pages, one object's pages
            else:
                allowed = admin_allows(model_admin, view, users[role])
                expected = 200 if allowed else 403
                if view == "process_import":  # POST only: refused before anything else
                    expected = 405
                ok = allowed is None or answer == expected
            if not ok:
                wrong.append(f"{name} {path} as {role}: {answer}")
    assert not wrong, "\n".join(wrong)
    # The matrix has teeth: the supervisor reads the scan log but may not add to it.
    scans = "/admin/packing_sessions/scanevent/"
    assert get(users, station, "supervisor", scans).status_code == 200
    assert get(users, station, "supervisor", scans + "add/").status_code == 403
    assert get(users, station, "admin", "/admin/profiles/client/add/").status_code == 200
    assert get(users, station, "supervisor", "/admin/profiles/client/add/").status_code == 403


def test_a_role_less_account_gets_the_reason_and_may_sign_out(world):
    users, station, _ids, _by_name = world
    client = Client()
    client.force_login(users["no_role"])
    page = client.get("/")
    assert page.status_code == 403
    assert "no role on the packing floor" in page.content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.fixture
async def close_thread_connections():
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
async def test_every_socket_route_has_a_decided_access_for_every_kind_of_user(settings, tmp_path):
    world_data = await database_sync_to_async(_world_for_sockets)(settings, tmp_path)
    users, list_id = world_data
    routes = {str(p.pattern) for p in websocket_urlpatterns}
    assert routes == set(SOCKETS), "decide who may open these sockets (SOCKETS)"
    app = URLRouter(websocket_urlpatterns)
    for route, expected in SOCKETS.items():
        path = "/" + route.replace("<int:list_id>", str(list_id))
        for role, want in zip(ROLES, expected):
            communicator = WebsocketCommunicator(app, path)
            communicator.scope["user"] = users[role]
            connected, code = await communicator.connect()
            got = True if connected else code
            assert got == want, f"{path} as {role}: {got}, expected {want}"
            if connected:
                await communicator.disconnect()


def _world_for_sockets(settings, tmp_path):
    users = {"anonymous": AnonymousUser(), "no_role": User.objects.create_user("nobody")}
    for name, role in (("packer", PACKER), ("supervisor", SUPERVISOR), ("admin", ADMIN)):
        users[name] = assign_role(User.objects.create_user(name), role)
    packing_list = build_list({"A-1": [("SKU-A", 1)]})
    return users, packing_list.pk


def test_downloads_refuse_a_role_less_account(world):
    """The files themselves, not only the pages: report, labels, history (xlsx and csv)."""
    users, station, ids, _by_name = world
    client = Client()
    client.force_login(users["no_role"])
    pk = ids["list_id"]
    for path in (f"/sessions/lists/{pk}/report.xlsx", f"/sessions/lists/{pk}/labels.pdf",
                 f"/sessions/lists/{pk}/history.xlsx", f"/sessions/lists/{pk}/history.csv"):
        response = client.get(path)
        assert response.status_code == 403 and "Content-Disposition" not in response, path
    client.force_login(users["packer"])
    report = client.get(f"/sessions/lists/{pk}/report.xlsx")
    assert report.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(report.content)).worksheets
