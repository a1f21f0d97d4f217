"""The importer: stages, checks and writes the rows of one batch, inside the caller's
transaction. Each stage is a mixin of `ImportRun` in a module of its own; this one says in
which order they run."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from django.db import transaction

from kpis.importers.aggregates import AggregateWriter
from kpis.importers.checks import FileChecks
from kpis.importers.interactions import InteractionWriter
from kpis.importers.overlaps import OverlapCheck
from kpis.importers.progress import progress_set
from kpis.importers.roster import RosterWriter
from kpis.importers.staging import Staging
from kpis.rows import Kind, Problem
from kpis.signals import rows_imported


class Importer(Staging, FileChecks, OverlapCheck, InteractionWriter, AggregateWriter, RosterWriter):
    """Stages, checks and writes the rows of one batch, inside the caller's transaction."""

    def run(self, records: Iterator[tuple[int, Any]]) -> None:
        self.stage(records)
        if self.result.rows_total == 0 and not self.log.count:
            self.log.add(Problem(0, "", "", "The file has a header but no rows."))
        if self.log.full:
            return
        progress_set(self.batch.pk, self.result.rows_total, "checking")
        self.check_duplicates()
        if self.kind is Kind.ROSTER:
            self.check_new_teams()
        else:
            self.check_agents()
        if self.kind is Kind.AGGREGATES:
            self.check_double_counting()
            self.check_overlapping_periods()
        if self.log.count:
            return
        progress_set(self.batch.pk, self.result.rows_total, "writing")
        {
            Kind.INTERACTIONS: self.write_interactions,
            Kind.AGGREGATES: self.write_aggregates,
            Kind.ROSTER: self.write_roster,
        }[self.kind]()
        self.staged.delete()
        self.enqueue_recompute()

    def enqueue_recompute(self) -> None:
        """Once the import commits, say which days changed: `kpis.tasks` recomputes them."""
        for partner_id, (first, last) in self.result.ranges.items():
            transaction.on_commit(
                partial(
                    rows_imported.send,
                    sender=Importer,
                    partner_id=partner_id,
                    first=first,
                    last=last,
                )
            )
