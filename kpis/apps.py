from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"

    def ready(self) -> None:
        from kpis.signals import rows_imported
        from kpis.tasks import recompute_after_import, recut_after_time_zone_change
        from partners.signals import account_time_zone_changed

        account_time_zone_changed.connect(
            recut_after_time_zone_change, dispatch_uid="kpis-recut-after-time-zone-change"
        )
        rows_imported.connect(recompute_after_import, dispatch_uid="kpis-recompute-after-import")
