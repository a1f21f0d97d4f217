from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Tenancy (accounts, memberships, invitations, API tokens) and the partners' rosters."""

    name = "partners"
    verbose_name = "Partners and tenancy"
