from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top floor: pages that span every app (each role's home, a partner's page) and the
    demo programme's seed. No app imports it."""

    name = "home"
    verbose_name = "Home pages and the demo"
