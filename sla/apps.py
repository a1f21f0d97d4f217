from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = "SLAs and settlements"

    def ready(self) -> None:
        from kpis.tasks import snapshots_recomputed
        from sla.signals import evaluate_after_import

        snapshots_recomputed.connect(evaluate_after_import, dispatch_uid="sla-after-import")
