"""File-wide checks, run as SQL on the staged rows once every row is staged: a row sent
twice in one file, agents missing from the roster, new teams without a channel, and
aggregate numbers that would count the same contacts twice. (Overlapping periods, the
largest of these checks, have `kpis.importers.overlaps` to themselves.)"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef
from django.db.models.functions import Lower

from kpis.importers.state import ImportRun
from kpis.models import AggregateReport, StagedRow, UnknownAgents
from kpis.rows import Kind, Problem
from partners.models import Agent, Team


class FileChecks(ImportRun):
    """The checks every file gets, and the double-counting check of aggregate reports."""

    def check_duplicates(self) -> None:
        duplicated = self.staged.values("key").annotate(n=Count("id")).filter(n__gt=1).values("key")
        first_row: dict[str, int] = {}
        column = {
            Kind.INTERACTIONS: "external_id",
            Kind.AGGREGATES: "agent_id",
            Kind.ROSTER: "agent_id",
        }[self.kind]
        rows = self.staged.filter(key__in=duplicated).order_by("key", "row")
        for staged in rows.only("key", "row", "ref", "agent_key", "channel", "period_start"):
            if staged.key not in first_row:
                first_row[staged.key] = staged.row
                continue
            if self.kind is Kind.AGGREGATES:
                what = (
                    f"agent '{staged.agent_key}'" if staged.agent_key else "the whole channel"
                ) + f", {staged.channel}, period starting {staged.period_start}"
                value = staged.agent_key
            else:
                what = f"'{staged.ref}'"
                value = staged.ref
            self.log.add(
                Problem(
                    staged.row,
                    self.reader.label(column),
                    value,
                    f"{what} appears again (first in row {first_row[staged.key]:,}): "
                    "each row must be unique within a file",
                )
            )
            if self.log.full:
                return

    def _unknown_agents(self) -> Any:
        known = Agent.objects.filter(
            partner_id=OuterRef("partner_id"), external_id=OuterRef("agent_key")
        )
        return self.staged.exclude(agent_key="").filter(~Exists(known))

    def check_agents(self) -> None:
        unknown = self._unknown_agents()
        if self.batch.unknown_agents == UnknownAgents.CREATE:
            new = list(
                unknown.values("partner_id", "agent_key")
                .annotate(name=Max("agent_name"), first_day=Min("day"))
                .order_by("partner_id", "agent_key")
            )
            Agent.objects.bulk_create(
                Agent(
                    partner_id=row["partner_id"],
                    external_id=row["agent_key"],
                    name=row["name"] or row["agent_key"],
                    hire_date=row["first_day"],
                )
                for row in new
            )
            self.result.agents_created = len(new)
            return
        for staged in unknown.order_by("row").only("row", "agent_key", "partner_id").iterator():
            self.log.add(
                Problem(
                    staged.row,
                    self.reader.label("agent_id"),
                    staged.agent_key,
                    f"no agent '{staged.agent_key}' on {self.partners[staged.partner_id].name}'s "
                    "roster: upload the roster first, or choose to add unknown agents",
                )
            )
            if self.log.full:
                return

    def check_new_teams(self) -> None:
        existing = Team.objects.annotate(lowered=Lower("name")).filter(
            partner_id=OuterRef("partner_id"), lowered=Lower(OuterRef("team"))
        )
        # A new team is fine when any row of the file gives its channel.
        given_here = (
            StagedRow.objects.annotate(lowered=Lower("team"))
            .filter(
                batch=self.batch,
                partner_id=OuterRef("partner_id"),
                lowered=Lower(OuterRef("team")),
            )
            .exclude(channel="")
        )
        rows = (
            self.staged.exclude(team="")
            .filter(channel="")
            .filter(~Exists(existing), ~Exists(given_here))
            .order_by("row")
        )
        for staged in rows.only("row", "partner_id", "team").iterator():
            self.log.add(
                Problem(
                    staged.row,
                    self.reader.label("channel"),
                    "",
                    f"team '{staged.team}' is new at {self.partners[staged.partner_id].name}: "
                    "give its channel",
                )
            )
            if self.log.full:
                return

    def check_double_counting(self) -> None:
        """A whole-channel row and per-agent rows for the same channel and period would count
        the same contacts twice, whether both are in this file or one is already stored."""
        same_period = {
            "partner_id": OuterRef("partner_id"),
            "channel": OuterRef("channel"),
            "period_type": OuterRef("period_type"),
            "period_start": OuterRef("period_start"),
        }
        staged_agents = StagedRow.objects.filter(batch=self.batch, **same_period).exclude(
            agent_key=""
        )
        stored_agents = AggregateReport.objects.filter(agent__isnull=False, **same_period)
        channel_rows = self.staged.filter(agent_key="").filter(
            Exists(staged_agents) | Exists(stored_agents)
        )
        stored_channel = AggregateReport.objects.filter(agent__isnull=True, **same_period)
        agent_rows = self.staged.exclude(agent_key="").filter(Exists(stored_channel))
        for staged in (channel_rows | agent_rows).order_by("row").iterator():
            self.log.add(
                Problem(
                    staged.row,
                    self.reader.label("agent_id"),
                    staged.agent_key,
                    f"{self.partners[staged.partner_id].name} would have both per-agent and "
                    f"whole-channel numbers for {staged.channel} in the "
                    f"{staged.period_type} starting {staged.period_start}, counting the same "
                    "contacts twice: send one or the other for a period",
                )
            )
            if self.log.full:
                return
