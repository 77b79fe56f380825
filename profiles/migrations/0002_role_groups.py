"""Data migration: the groups packer, supervisor and admin with their permissions.

Permissions are normally created by a post_migrate signal, i.e. only after every migration has
run, so on a fresh database they do not exist yet here: they are created first, for every app
the historical state knows, and then the groups are synced by the rules in profiles.roles.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_role_groups(apps, schema_editor):
    from profiles.roles import sync_role_groups

    using = schema_editor.connection.alias
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    sync_role_groups(apps)


def remove_role_groups(apps, schema_editor):
    from profiles.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0001_initial"),
        ("packing_sessions", "0002_alter_order_options_alter_packinglist_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
