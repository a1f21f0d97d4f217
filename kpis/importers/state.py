"""What one import run carries from stage to stage: the batch, its row reader, the problems
found so far, the counts of what was written, and the account's partners and interaction
types, looked up once. Every part of the importer (staging, checks, writers) works on it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists

from core import clock
from kpis.models import ImportBatch, StagedRow
from kpis.rows import Kind, Problem, RowReader
from partners.models import Agent, InteractionType, Partner

PROBLEMS_KEPT = 10_000  # a file can have millions of bad rows; the first ones tell the story
STAGE_BATCH = 2_000
WRITE_BATCH = 2_000
PROGRESS_EVERY = 1_000


class ImportRejected(Exception):
    """Raised inside the import's transaction to roll it back when a row has a problem."""


@dataclass
class ProblemLog:
    """Problems of one import: all are counted, the first PROBLEMS_KEPT are kept."""

    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    rows: set[int] = field(default_factory=set)

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.rows) < PROBLEMS_KEPT * 10:
            self.rows.add(problem.row)
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    @property
    def full(self) -> bool:
        return len(self.problems) >= PROBLEMS_KEPT


@dataclass
class Result:
    rows_total: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    agents_created: int = 0
    first_day: date | None = None
    last_day: date | None = None
    ranges: dict[int, tuple[date, date]] = field(default_factory=dict)  # partner → days

    def touch(self, partner_id: int, first: date, last: date) -> None:
        low, high = self.ranges.get(partner_id, (first, last))
        self.ranges[partner_id] = (min(low, first), max(high, last))
        self.first_day = min(self.first_day or first, first)
        self.last_day = max(self.last_day or last, last)


@dataclass
class ImportRun:
    """One batch being imported, inside the caller's transaction. `kpis.importers.Importer`
    puts the stages together; each stage is a mixin of this class in a module of its own."""

    batch: ImportBatch
    reader: RowReader
    log: ProblemLog
    result: Result

    def __post_init__(self) -> None:
        self.kind = Kind(self.batch.kind)
        # Contacts are counted on their day in the account's time zone, as snapshots cut them.
        self.zone = clock.zone(self.batch.account)
        partners = Partner.objects.filter(account_id=self.batch.account_id)
        self.partners = {p.pk: p for p in partners}
        self.partner_keys: dict[str, int] = {}
        for p in self.partners.values():
            self.partner_keys[str(p.pk)] = p.pk
            self.partner_keys[p.name.strip().lower()] = p.pk
        self.types: dict[str, int] = {}
        codes = []
        for t in InteractionType.objects.filter(account_id=self.batch.account_id):
            self.types[t.code.lower()] = t.pk
            self.types[t.name.strip().lower()] = t.pk
            codes.append(t.code)
        self.type_codes = sorted(codes)
        self.staged = StagedRow.objects.filter(batch=self.batch)

    def _agent_ids(self) -> dict[tuple[int, str], int]:
        """Ids of the agents the staged rows name (at most the partners' rosters)."""
        agents = Agent.objects.filter(
            partner_id__in=list(self.partners),
            external_id__in=self.staged.exclude(agent_key="").values("agent_key"),
        ).values_list("partner_id", "external_id", "pk")
        return {(partner_id, external_id): pk for partner_id, external_id, pk in agents}

    def _count_existing(self, exists: Exists) -> None:
        self.result.rows_updated = self.staged.filter(exists).count()
        self.result.rows_created = self.result.rows_total - self.result.rows_updated

    def _staged_chunks(self) -> Iterator[list[StagedRow]]:
        """The staged rows in file order, WRITE_BATCH at a time."""
        return _chunks(self.staged.order_by("row").iterator(chunk_size=WRITE_BATCH))


def _chunks(items: Iterator[StagedRow], size: int = WRITE_BATCH) -> Iterator[list[StagedRow]]:
    chunk: list[StagedRow] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
