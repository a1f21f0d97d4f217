from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = "SLAs and settlements"

    def ready(self) -> None:
        from calibration.signals import alignment_changed
        from kpis.tasks import snapshots_recomputed
        from sla.signals import evaluate_after_calibration, evaluate_after_import

        snapshots_recomputed.connect(evaluate_after_import, dispatch_uid="sla-after-import")
        alignment_changed.connect(evaluate_after_calibration, dispatch_uid="sla-after-calibration")
