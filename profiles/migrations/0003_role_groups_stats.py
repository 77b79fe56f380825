"""Data migration: sync the role groups again once the stats models exist.

The stats app's first migration depends on 0002, so its view permissions could not be granted
there; the rules of profiles.roles cover them now.
"""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from profiles.roles import sync_roles_in_migration

    sync_roles_in_migration(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0002_role_groups"),
        ("stats", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
