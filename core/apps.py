from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Installed only for its template tags (`{% load keel %}`); it has no models."""

    name = "core"
    verbose_name = "Keel kernel"
