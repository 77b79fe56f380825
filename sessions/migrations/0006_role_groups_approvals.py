"""Data migration: sync the role groups again so supervisors may view approvals and imports
(profiles.roles grants view on every model of the app; the new models need their rows)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from profiles.roles import sync_roles_in_migration

    sync_roles_in_migration(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("packing_sessions", "0005_approvals_reviews_imports"),
        ("profiles", "0004_station_authority"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
