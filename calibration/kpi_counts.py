"""The QA score's counts for KPI snapshots: QA evaluations (outside calibration sessions) per
channel and agent, by the day they were scored, cut in the account's time zone like
interactions. Registered with `kpis.sources` when the app starts (`CalibrationConfig`), so
that `kpis`, a floor below, never imports calibration."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import Trunc

from calibration.models import QaEvaluation
from core import clock
from kpis.periods import PeriodType
from kpis.sources import Counts, truncated_day


class QaScoreCounts:
    """`qa_n` evaluations and `qa_sum` (scores in hundredths) per channel, agent and period."""

    def add_counts(
        self, result: Counts, *, partner_id: int, period_type: PeriodType, start: date,
        end: date, zone: tzinfo,
    ) -> None:  # fmt: skip
        evaluations = QaEvaluation.objects.filter(
            partner_id=partner_id,
            score__isnull=False,
            scored_at__gte=clock.start_of(start, zone),
            scored_at__lt=clock.start_of(end, zone),
        ).annotate(period=Trunc("scored_at", period_type.value, tzinfo=zone))
        sums = {"qa_n": Count("pk"), "qa_total": Sum("score")}
        for grouping, agent_field in ((("channel", "agent_id", "period"), "agent_id"),
                                      (("channel", "period"), None)):  # fmt: skip
            for row in evaluations.values(*grouping).annotate(**sums).order_by():
                period_start = truncated_day(row["period"], zone)
                key = (row["channel"], row[agent_field] if agent_field else None, period_start)
                target = result[key]
                target["qa_n"] += row["qa_n"]
                target["qa_sum"] += int((row["qa_total"] * 100).to_integral_value())

    def recorded_moments(self, partner_id: int) -> tuple[datetime | None, datetime | None]:
        span = QaEvaluation.objects.filter(partner_id=partner_id, score__isnull=False).aggregate(
            first=Min("scored_at"), last=Max("scored_at")
        )
        return span["first"], span["last"]
