"""The three roles of the floor — packer, supervisor, admin — as Django groups.

A role is a group plus a consistent `is_staff` flag: packers never open the admin, supervisors
see everything there and may release claims, admins manage clients, mappings, people and users.
The permission sets are written as rules over app labels (not a frozen list of codenames) so
that a model added later is covered the next time the groups are synced: by the data migration
on a fresh database, by `manage.py demo`, and by `assign_role` when a group is missing (e.g.
after a test flushed the database).
"""

from django.apps import apps as global_apps
from django.db import transaction

PACKER = "packer"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (PACKER, SUPERVISOR, ADMIN)

# Roles that may open the admin site.
STAFF_ROLES = {SUPERVISOR, ADMIN}

# Apps whose models supervisors may view and whose data admins manage.
DOMAIN_APPS = ("profiles", "packing_sessions", "stats")

# Logs nobody may write by hand, whatever their role: history and the scan/claim logs.
APPEND_ONLY_MODELS = {"scanevent", "claimevent", "approval", "importrecord"}


def is_append_only(model_name):
    return model_name in APPEND_ONLY_MODELS or model_name.startswith("historical")


# role -> list of (app_label, model_name or "*", actions or explicit codenames)
# An entry ("app", "*", ("view",)) grants view_<model> for every model of the app.
ROLE_RULES = {
    PACKER: [
        ("packing_sessions", "packingsession", ("view",)),
        ("packing_sessions", "packinglist", ("view",)),
        ("packing_sessions", "order", ("view",)),
        ("packing_sessions", "orderitem", ("view",)),
    ],
    SUPERVISOR: [
        *[(app, "*", ("view",)) for app in DOMAIN_APPS],
        ("auth", "user", ("view",)),
        ("auth", "group", ("view",)),
        ("admin", "logentry", ("view",)),
        ("packing_sessions", "packinglist", ("change",)),
        ("packing_sessions", "packinglist", ("@release_claim",)),
        ("packing_sessions", "order", ("@reopen_order",)),
    ],
    ADMIN: [
        *[(app, "*", ("view", "add", "change", "delete")) for app in DOMAIN_APPS],
        ("auth", "user", ("view", "add", "change", "delete")),
        ("auth", "group", ("view", "add", "change", "delete")),
        ("admin", "logentry", ("view",)),
        ("packing_sessions", "packinglist", ("@release_claim",)),
        ("packing_sessions", "order", ("@reopen_order",)),
    ],
}


def role_codenames(role, apps=global_apps):
    """The (app_label, codename) pairs a role grants, for the models `apps` knows now."""
    wanted = set()
    for app_label, model_name, actions in ROLE_RULES[role]:
        try:
            app_config = apps.get_app_config(app_label)
        except LookupError:
            continue
        models = app_config.get_models()
        for model in models:
            name = model._meta.model_name
            if model_name not in ("*", name):
                continue
            for action in actions:
                if action in ("add", "change", "delete") and is_append_only(name):
                    continue
                codename = action[1:] if action.startswith("@") else f"{action}_{name}"
                wanted.add((app_label, codename))
    return wanted


def sync_role_groups(apps=global_apps):
    """Create the three groups and set exactly the permissions their rules grant.

    Idempotent. `apps` is the historical registry inside a migration, the live one otherwise.
    Permissions that do not exist yet (their app not migrated) are simply left out.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {}
    for role in ROLES:
        wanted = role_codenames(role, apps)
        perms = Permission.objects.filter(
            content_type__app_label__in={app for app, _code in wanted},
            codename__in={code for _app, code in wanted},
        ).select_related("content_type")
        chosen = [p for p in perms if (p.content_type.app_label, p.codename) in wanted]
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(chosen)
        groups[role] = group
    return groups


def sync_roles_in_migration(apps, schema_editor):
    """RunPython body of the role migrations: create permissions first, then sync the groups.

    Permissions are normally created by post_migrate, i.e. only after every migration has run,
    so on a fresh database they do not exist yet: they are created here for every app the
    historical state knows.
    """
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    sync_role_groups(apps)


# The highest role wins when several groups were set by hand.
RANK = {PACKER: 1, SUPERVISOR: 2, ADMIN: 3}
_ROLE_ATTR = "_floor_role"


def role_of(user):
    """The user's floor role (packer, supervisor, admin) or None: THE role check.

    Every page, API view, socket and service asks this (or the two questions below), so
    "who is a supervisor" is decided in one place. A superuser counts as an admin. The answer
    is read once per user object (one query) and kept on it; token authentication hands it
    over from its own query (`remember_role`).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    if _ROLE_ATTR not in user.__dict__:
        names = user.groups.filter(name__in=ROLES).values_list("name", flat=True)
        remember_role(user, max(names, key=RANK.get, default=None))
    return user.__dict__[_ROLE_ATTR]


def remember_role(user, role):
    user.__dict__[_ROLE_ATTR] = role


def has_floor_role(user):
    """Any role on the floor: an account without one sees nothing."""
    return role_of(user) is not None


def is_supervisor(user):
    """Supervisors and admins: release claims, take over, reopen orders, see everyone."""
    return role_of(user) in (SUPERVISOR, ADMIN)


def is_admin(user):
    return role_of(user) == ADMIN


@transaction.atomic
def assign_role(user, role):
    """Give `user` exactly one role: its group (other role groups removed) and is_staff.

    Groups that are not roles are left alone; is_superuser is never touched here.
    """
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; expected one of {', '.join(ROLES)}")
    from django.contrib.auth.models import Group  # not at import time: migrations import us

    # Missing, or created bare by hand: (re)build the groups from the rules first.
    if not Group.objects.filter(name=role, permissions__isnull=False).exists():
        sync_role_groups()
    user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
    user.groups.add(Group.objects.get(name=role))
    user.__dict__.pop(_ROLE_ATTR, None)
    staff = role in STAFF_ROLES
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    return user
