from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = "SLAs and settlements"

    def ready(self) -> None:
        from calibration.signals import alignment_changed
        from calibration.suggestions import register_dip_source
        from kpis import sources
        from kpis.signals import snapshots_recomputed
        from sla.selectors import quality_dips, scorecard_band_statuses
        from sla.selectors.bands import kpi_bands
        from sla.signals import evaluate_after_calibration, evaluate_after_import

        snapshots_recomputed.connect(evaluate_after_import, dispatch_uid="sla-after-import")
        alignment_changed.connect(evaluate_after_calibration, dispatch_uid="sla-after-calibration")
        sources.register_scorecard_panel("sla", scorecard_band_statuses)
        sources.register_band_provider("sla", kpi_bands)
        register_dip_source("sla", quality_dips)
