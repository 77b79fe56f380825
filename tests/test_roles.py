"""Roles: packers never open the admin, supervisors see everything and release claims, admins
manage clients, mappings and users. Groups come from a data migration (profiles 0002)."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from profiles.models import Client
from profiles.roles import (
    ADMIN,
    PACKER,
    ROLES,
    SUPERVISOR,
    assign_role,
    is_admin,
    is_supervisor,
    role_of,
    sync_role_groups,
)
from sessions.claims import force_release
from sessions.errors import Forbidden
from sessions.models import ClaimEvent, PackingList
from tests.builders import build_list, claimed

pytestmark = pytest.mark.django_db


def perms_of(role):
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")}


def make_user(username, role):
    user = User.objects.create_user(username=username, password="pw-123456")
    return assign_role(user, role)


@pytest.fixture
def roles():
    sync_role_groups()


def test_the_data_migration_creates_the_three_groups_with_permissions():
    """Run the migration's own function on the historical state, as on a fresh database."""
    Group.objects.filter(name__in=ROLES).delete()
    migration = importlib.import_module("profiles.migrations.0002_role_groups")
    state = MigrationExecutor(connection).loader.project_state(
        ("profiles", "0002_role_groups"), at_end=True)
    migration.create_role_groups(state.apps, SimpleNamespace(connection=connection))
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)
    assert "packing_sessions.release_claim" in perms_of(SUPERVISOR)
    assert "profiles.add_skumapping" in perms_of(ADMIN)


def test_supervisor_views_everything_and_releases_but_does_not_manage(roles):
    perms = perms_of(SUPERVISOR)
    for wanted in ["profiles.view_client", "profiles.view_skumapping", "profiles.view_worker",
                   "packing_sessions.view_scanevent", "packing_sessions.view_claimevent",
                   "packing_sessions.change_packinglist", "packing_sessions.release_claim",
                   "packing_sessions.reopen_order", "auth.view_user"]:
        assert wanted in perms
    for refused in ["profiles.change_client", "profiles.add_skumapping", "auth.add_user",
                    "packing_sessions.delete_packingsession"]:
        assert refused not in perms


def test_admin_manages_clients_mappings_people_and_users_but_not_the_logs(roles):
    perms = perms_of(ADMIN)
    for wanted in ["profiles.add_client", "profiles.change_client", "profiles.delete_skumapping",
                   "profiles.add_worker", "profiles.change_station", "auth.add_user",
                   "auth.change_user", "auth.delete_group", "packing_sessions.release_claim"]:
        assert wanted in perms
    for refused in ["packing_sessions.change_scanevent", "packing_sessions.delete_claimevent",
                    "profiles.delete_historicalskumapping", "profiles.change_historicalclient"]:
        assert refused not in perms


def test_packer_has_no_admin_or_supervisor_permission(roles):
    perms = perms_of(PACKER)
    assert not {p for p in perms if not p.startswith("packing_sessions.view_")}
    assert "packing_sessions.release_claim" not in perms


def test_assign_role_sets_one_role_and_the_staff_flag():
    user = User.objects.create_user("mia", password="pw-123456")
    other = Group.objects.create(name="night shift")
    user.groups.add(other)
    assign_role(user, SUPERVISOR)
    assert user.is_staff and role_of(user) == SUPERVISOR and is_supervisor(user)
    assign_role(user, PACKER)
    user.refresh_from_db()
    assert not user.is_staff and role_of(user) == PACKER and not is_supervisor(user)
    assert set(user.groups.values_list("name", flat=True)) == {PACKER, "night shift"}
    assign_role(user, ADMIN)
    assert user.is_staff and is_admin(user) and not user.is_superuser
    with pytest.raises(ValueError, match="Unknown role"):
        assign_role(user, "boss")


def test_assign_role_recreates_a_missing_or_bare_group_with_its_permissions():
    Group.objects.filter(name__in=ROLES).delete()
    user = make_user("sam", SUPERVISOR)
    assert user.has_perm("packing_sessions.release_claim")
    Group.objects.get(name=ADMIN).permissions.clear()
    admin_user = User.objects.get(pk=make_user("ada", ADMIN).pk)
    assert admin_user.has_perm("profiles.add_skumapping")


@pytest.mark.parametrize("path", ["/admin/", "/admin/profiles/client/",
                                  "/admin/packing_sessions/packinglist/"])
def test_packer_cannot_open_the_admin(client, path):
    client.force_login(make_user("pat", PACKER))
    response = client.get(path)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_packer_cannot_force_release_a_claim():
    claim = claimed(build_list())
    with pytest.raises(Forbidden):
        force_release(claim.list_id, by_user=make_user("pat", PACKER), reason="no")
    assert PackingList.objects.get(pk=claim.list_id).claim_token is not None


def test_supervisor_sees_everything_but_cannot_change_clients(client):
    client.force_login(make_user("sue", SUPERVISOR))
    Client.objects.create(code="ACME", name="Acme")
    acme = Client.objects.get(code="ACME")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/profiles/client/").status_code == 200
    assert client.get(reverse("admin:profiles_client_change", args=[acme.pk])).status_code == 200
    assert client.get(reverse("admin:profiles_client_add")).status_code == 403
    response = client.post(reverse("admin:profiles_client_change", args=[acme.pk]),
                           {"code": "ACME", "name": "Changed"})
    assert response.status_code == 403
    assert Client.objects.get(pk=acme.pk).name == "Acme"
    assert client.get(reverse("admin:profiles_skumapping_import")).status_code == 403


def test_supervisor_releases_a_claim_from_the_admin_with_a_reason(client):
    supervisor = make_user("sue", SUPERVISOR)
    claim = claimed(build_list())
    client.force_login(supervisor)
    url = reverse("admin:packing_sessions_packinglist_changelist")
    ask = client.post(url, {"action": "release_claim", "_selected_action": [claim.list_id]})
    assert ask.status_code == 200
    assert b'name="reason"' in ask.content
    no_reason = client.post(url, {"action": "release_claim", "_selected_action": [claim.list_id],
                                  "apply": "1", "reason": ""})
    assert no_reason.status_code == 200 and "This field is required" in no_reason.content.decode()
    assert PackingList.objects.get(pk=claim.list_id).claim_token is not None
    free = build_list()
    selected = [claim.list_id, free.pk]
    done = client.post(url, {"action": "release_claim", "_selected_action": selected,
                             "apply": "1", "reason": "PC-3 crashed"}, follow=True)
    page = done.content.decode()
    assert "Released 1 claim(s)." in page and "Nobody holds this packing list." in page
    assert PackingList.objects.get(pk=claim.list_id).claim_token is None
    event = ClaimEvent.objects.get(packing_list_id=claim.list_id, kind="force_release")
    assert event.by_user == supervisor and event.reason == "PC-3 crashed"
    assert event.previous_holder == claim.worker


def test_admin_creates_a_client_and_a_user_from_the_admin(client):
    client.force_login(make_user("ada", ADMIN))
    response = client.post(reverse("admin:profiles_client_add"), {
        "code": "NEW1", "name": "New client", "active": "on",
        "settings-TOTAL_FORMS": "0", "settings-INITIAL_FORMS": "0",
        "courier_deadlines-TOTAL_FORMS": "1", "courier_deadlines-INITIAL_FORMS": "0",
        "courier_deadlines-0-courier": "DHL", "courier_deadlines-0-deadline": "16:00",
        "column_mappings-TOTAL_FORMS": "0", "column_mappings-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content[:2000]
    new = Client.objects.get(code="NEW1")
    assert new.courier_deadlines.get().courier == "DHL"
    response = client.post(reverse("admin:auth_user_add"), {
        "username": "newpacker", "password1": "a-Long-pw-9876", "password2": "a-Long-pw-9876",
        "usable_password": "true",
    })
    assert response.status_code == 302
    newpacker = User.objects.get(username="newpacker")
    response = client.post(reverse("admin:auth_user_changelist"),
                           {"action": "make_supervisor", "_selected_action": [newpacker.pk]})
    assert response.status_code == 302
    newpacker.refresh_from_db()
    assert newpacker.is_staff and role_of(newpacker) == SUPERVISOR


def test_admin_refuses_a_bad_client_code_with_the_rule(client):
    client.force_login(make_user("ada", ADMIN))
    response = client.post(reverse("admin:profiles_client_add"), {
        "code": "CLIENT_M", "name": "Bad", "settings-TOTAL_FORMS": "0",
        "settings-INITIAL_FORMS": "0", "courier_deadlines-TOTAL_FORMS": "0",
        "courier_deadlines-INITIAL_FORMS": "0", "column_mappings-TOTAL_FORMS": "0",
        "column_mappings-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200
    assert "may not start with" in response.content.decode()
    assert not Client.objects.filter(code="CLIENT_M").exists()
