from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "calibration"

    def ready(self) -> None:
        from calibration.kpi_counts import QaScoreCounts
        from calibration.selectors import scorecard_alignment
        from kpis import sources

        sources.register("qa_score", QaScoreCounts())
        sources.register_scorecard_panel("calibration", scorecard_alignment)
