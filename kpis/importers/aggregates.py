"""Writing an aggregate-reports batch: counts replace counts, so a stored report for the
same partner, channel, scope and period is swapped for the one sent."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from kpis.importers.state import ImportRun
from kpis.models import AggregateReport, StagedRow


class AggregateWriter(ImportRun):
    """Replaces the stored reports the staged ones supersede, then writes them."""

    def write_aggregates(self) -> None:
        match = {
            "batch": self.batch,
            "partner_id": OuterRef("partner_id"),
            "channel": OuterRef("channel"),
            "period_type": OuterRef("period_type"),
            "period_start": OuterRef("period_start"),
        }
        per_agent = Exists(
            StagedRow.objects.filter(agent_key=OuterRef("agent__external_id"), **match)
        )
        per_channel = Exists(StagedRow.objects.filter(agent_key="", **match))
        replaced = AggregateReport.objects.filter(
            Q(agent__isnull=False, partner_id__in=list(self.partners)) & per_agent
            | Q(agent__isnull=True, partner_id__in=list(self.partners)) & per_channel
        )
        self.result.rows_updated = replaced.count()
        self.result.rows_created = self.result.rows_total - self.result.rows_updated
        # Counts replace counts: the stored row for the same key is swapped for the new one.
        replaced.delete()
        agents = self._agent_ids()
        for chunk in self._staged_chunks():
            AggregateReport.objects.bulk_create(self._report(s, agents) for s in chunk)

    def _report(self, s: StagedRow, agents: dict[tuple[int, str], int]) -> AggregateReport:
        assert s.period_start is not None  # every staged aggregate row has one
        return AggregateReport(
            partner_id=s.partner_id,
            channel=s.channel,
            agent_id=agents[(s.partner_id, s.agent_key)] if s.agent_key else None,
            period_type=s.period_type,
            period_start=s.period_start,
            batch=self.batch,
            **s.payload,
        )
