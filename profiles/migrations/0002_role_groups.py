"""Data migration: the groups packer, supervisor and admin with their permissions.

Permissions are normally created by a post_migrate signal, i.e. only after every migration has
run, so on a fresh database they do not exist yet here: profiles.roles creates them first, for
every app the historical state knows, and then syncs the groups by its rules.
"""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    from profiles.roles import sync_roles_in_migration

    sync_roles_in_migration(apps, schema_editor)


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
