"""The profiles app: clients, SKU mappings, workers, stations and roles; keeps the role groups
in step after every migrate, and ends a user's API token when their credentials change."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save
from django.utils.translation import gettext_lazy as _


def sync_roles_after_migrate(sender, using="default", **kwargs):
    """Keep the role groups in step with the models after every migrate (and flush).

    The data migration creates the groups once; this keeps them complete when later models add
    permissions, and restores them after a database flush (transactional tests flush auth tables).
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from profiles.roles import sync_role_groups

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_role_groups()


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Clients, mappings and people")

    def ready(self):
        from django.contrib.auth import get_user_model

        from profiles.tokens import revoke_on_credential_change

        post_migrate.connect(sync_roles_after_migrate, sender=self,
                             dispatch_uid="profiles.sync_roles_after_migrate")
        pre_save.connect(revoke_on_credential_change, sender=get_user_model(),
                         dispatch_uid="profiles.revoke_tokens_on_credential_change")
