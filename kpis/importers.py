"""The one validation and write path for KPI data, whatever brings it: a CSV upload, the
REST bulk endpoint or the management command.

An import is all or nothing. Inside one transaction every row is checked (`kpis.rows`) and
staged in the database; file-wide checks (duplicate ids, unknown agents, numbers that would
count twice) run as SQL on the staged rows; only a file with no problem at all is written,
as upserts on each row's natural key, so the same row sent twice updates instead of
duplicating. A rejected file writes nothing but its list of problems. A worker that dies
mid-import leaves the database as it was, and the batch can be run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Lower, Trunc
from django.db.models.lookups import Exact

from core import clock
from kpis.csvfiles import FileProblem, open_csv
from kpis.models import (
    AggregateReport,
    ImportBatch,
    ImportProblem,
    ImportStatus,
    Interaction,
    StagedRow,
    UnknownAgents,
)
from kpis.periods import Period, PeriodType
from kpis.rows import AGGREGATE_PAIRS, ColumnMap, Context, Kind, Problem, RowReader
from kpis.signals import rows_imported
from partners.models import Agent, InteractionType, Partner, Team

logger = logging.getLogger(__name__)

PROBLEMS_KEPT = 10_000  # a file can have millions of bad rows; the first ones tell the story
STAGE_BATCH = 2_000
WRITE_BATCH = 2_000
PROGRESS_EVERY = 1_000

INTERACTION_COLUMNS = (
    "first_response_seconds",
    "handle_seconds",
    "resolved_first_contact",
    "reopened",
    "escalated",
    "escalation_resolved_l1",
    "csat",
    "nps",
    "ces",
    "sla_met",
)


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


# PROGRESS
# ------------------------------------------------------------------------------


def _progress_key(batch_id: int) -> str:
    return f"kpis:import:{batch_id}:progress"


def progress_set(batch_id: int, rows: int, phase: str) -> None:
    """Progress lives in the cache: the import's own writes are invisible until it commits."""
    cache.set(
        _progress_key(batch_id),
        {"rows": rows, "phase": phase, "at": clock.now().timestamp()},
        86400,
    )


def progress_get(batch_id: int) -> dict[str, Any] | None:
    value: dict[str, Any] | None = cache.get(_progress_key(batch_id))
    return value


# ENTRY POINTS
# ------------------------------------------------------------------------------


def import_stream(batch: ImportBatch, stream: BinaryIO) -> ImportBatch:
    """Import a CSV stream (an upload, or a file on disk) into `batch`."""

    def source() -> tuple[RowReader | None, Iterator[tuple[int, Any]], list[Problem]]:
        try:
            csv_file = open_csv(stream)
        except FileProblem as exc:
            return None, iter(()), [Problem(exc.row, "", "", exc.message)]
        reader = _reader(batch, header=csv_file.header)
        return reader, csv_file.rows, []

    return _run(batch, source)


def import_records(batch: ImportBatch, records: list[Mapping[str, Any]]) -> ImportBatch:
    """Import rows sent as JSON objects keyed by Keel's field names (the REST endpoint)."""

    def source() -> tuple[RowReader | None, Iterator[tuple[int, Any]], list[Problem]]:
        return _reader(batch, header=None), enumerate(records, start=1), []

    return _run(batch, source)


def import_batch_file(batch: ImportBatch) -> ImportBatch:
    """Import the file stored with the batch (uploads; retries)."""
    with batch.file.open("rb") as stream:
        return import_stream(batch, stream)


def _reader(batch: ImportBatch, header: list[str] | None) -> RowReader:
    return RowReader(
        kind=Kind(batch.kind),
        column_map=ColumnMap.from_json(batch.mapping),
        ctx=Context(now=clock.now(), default_tz=ZoneInfo(batch.timezone)),
        header=header,
    )


def _claim(batch: ImportBatch) -> bool:
    """Mark the batch running, unless it has already finished (a redelivered task)."""
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportStatus.PENDING, ImportStatus.RUNNING, ImportStatus.FAILED]
    ).update(
        status=ImportStatus.RUNNING,
        started_at=clock.now(),
        error="",
        attempts=F("attempts") + 1,
    )
    if claimed:
        ImportProblem.objects.filter(batch=batch).delete()
        progress_set(batch.pk, 0, "starting")
    batch.refresh_from_db()
    return bool(claimed)


def _run(
    batch: ImportBatch,
    source: Callable[[], tuple[RowReader | None, Iterator[tuple[int, Any]], list[Problem]]],
) -> ImportBatch:
    if not _claim(batch):
        return batch
    log = ProblemLog()
    result = Result()
    reader, records, file_problems = source()
    log.extend(file_problems)
    if reader is not None:
        log.extend(reader.file_problems)
    try:
        with transaction.atomic():
            # Held until commit: a second worker handed the same batch skips it.
            locked = ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch.pk)
            if not locked.exists():
                return batch
            if log.count == 0 and reader is not None:
                Importer(batch, reader, log, result).run(records)
            if log.count:
                raise ImportRejected
            batch.columns_missing = reader.missing_optional if reader else []
    except ImportRejected:
        _finish_rejected(batch, log, result)
    except Exception as exc:
        # Nothing was written (the transaction rolled back); the batch can be run again.
        logger.exception("Import batch %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            finished_at=clock.now(),
            error=f"{exc.__class__.__name__}: {exc}",
        )
    else:
        _finish_succeeded(batch, result)
    batch.refresh_from_db()
    return batch


def _finish_rejected(batch: ImportBatch, log: ProblemLog, result: Result) -> None:
    with transaction.atomic():
        ImportProblem.objects.bulk_create(
            ImportProblem(
                batch=batch,
                row=p.row,
                column=p.column[:200],
                value=p.value[:200],
                message=p.message,
            )
            for p in log.problems
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.REJECTED,
            finished_at=clock.now(),
            rows_total=result.rows_total,
            rows_created=0,
            rows_updated=0,
            agents_created=0,
            rows_rejected=len(log.rows - {0}),
            problem_count=log.count,
        )
    progress_set(batch.pk, result.rows_total, "rejected")


def _finish_succeeded(batch: ImportBatch, result: Result) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.SUCCEEDED,
        finished_at=clock.now(),
        rows_total=result.rows_total,
        rows_created=result.rows_created,
        rows_updated=result.rows_updated,
        rows_rejected=0,
        agents_created=result.agents_created,
        problem_count=0,
        first_day=result.first_day,
        last_day=result.last_day,
        columns_missing=batch.columns_missing,
    )
    progress_set(batch.pk, result.rows_total, "done")


# THE IMPORTER
# ------------------------------------------------------------------------------


@dataclass
class Importer:
    """Stages, checks and writes the rows of one batch, inside the caller's transaction."""

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

    # staging ------------------------------------------------------------------

    def stage(self, records: Iterator[tuple[int, Any]]) -> None:
        buffer: list[StagedRow] = []
        try:
            for number, record in records:
                self.result.rows_total += 1
                if self.result.rows_total % PROGRESS_EVERY == 0:
                    progress_set(self.batch.pk, self.result.rows_total, "reading")
                values, problems = self.reader.parse(number, record)
                staged = self.staged_row(number, values, problems)
                self.log.extend(problems)
                # Rows are staged even after a problem, so that the file-wide checks report
                # every problem of the file; nothing is written unless there are none.
                if staged is not None:
                    buffer.append(staged)
                if len(buffer) >= STAGE_BATCH:
                    StagedRow.objects.bulk_create(buffer)
                    buffer = []
        except FileProblem as exc:
            self.log.add(Problem(exc.row, "", "", exc.message))
        if buffer:
            StagedRow.objects.bulk_create(buffer)

    def resolve_partner(
        self, number: int, values: dict[str, Any], problems: list[Problem]
    ) -> int | None:
        given = values.get("partner")
        fixed = self.batch.partner_id
        column = self.reader.label("partner")
        if given is None:
            if fixed is None and not any(p.column == column for p in problems):
                problems.append(
                    Problem(
                        number,
                        column,
                        "",
                        "is empty: this upload is for several partners, so every row names one",
                    )
                )
            return fixed
        found = self.partner_keys.get(str(given).strip().lower())
        if fixed is not None and found != fixed:
            message = (
                f"'{given}' is not {self.partners[fixed].name}, the partner this upload is for"
            )
            problems.append(Problem(number, column, str(given), message))
            return None
        if found is None:
            problems.append(
                Problem(number, column, str(given), f"'{given}' is not a partner of this account")
            )
        return found

    def resolve_type(
        self, number: int, values: dict[str, Any], problems: list[Problem]
    ) -> int | None:
        name = values.get("interaction_type")
        if name is None:
            return None
        type_id = self.types.get(name.lower())
        if type_id is None:
            problems.append(
                Problem(
                    number,
                    self.reader.label("interaction_type"),
                    name,
                    f"'{name}' is not an interaction type of this account; known types: "
                    + ", ".join(self.type_codes),
                )
            )
        return type_id

    def staged_row(
        self, number: int, values: dict[str, Any], problems: list[Problem]
    ) -> StagedRow | None:
        """The row ready for the file-wide checks, or None when it has a problem. References
        to partners and interaction types are checked even then, to report them all."""
        if not values:
            return None
        partner_id = self.resolve_partner(number, values, problems)
        type_id = None
        if self.kind is Kind.INTERACTIONS:
            type_id = self.resolve_type(number, values, problems)
        if problems or partner_id is None:
            return None
        if self.kind is Kind.INTERACTIONS:
            return self.stage_interaction(number, partner_id, type_id, values)
        if self.kind is Kind.AGGREGATES:
            return self.stage_aggregate(number, partner_id, values)
        return self.stage_roster(number, partner_id, values)

    def stage_interaction(
        self, number: int, partner_id: int, type_id: int | None, v: dict[str, Any]
    ) -> StagedRow:
        opened: datetime = v["opened_at"]
        day = clock.local_date(opened, self.zone)
        self.result.touch(partner_id, day, day)
        payload = {name: v[name] for name in INTERACTION_COLUMNS}
        payload.update(
            channel=v["channel"],
            interaction_type_id=type_id,
            external_id=v["external_id"],
            opened_at=opened.isoformat(),
        )
        return StagedRow(
            batch=self.batch,
            row=number,
            partner_id=partner_id,
            key=f"{partner_id}|{v['external_id']}",
            ref=v["external_id"],
            agent_key=v["agent_id"],
            agent_name=v["agent_name"] or "",
            channel=v["channel"],
            day=day,
            payload=payload,
        )

    def stage_aggregate(self, number: int, partner_id: int, v: dict[str, Any]) -> StagedRow:
        period: Period = v["period"]
        self.result.touch(partner_id, period.start, period.end)
        counts = aggregate_counts(v)
        agent_key = v["agent_id"] or ""
        return StagedRow(
            batch=self.batch,
            row=number,
            partner_id=partner_id,
            key=f"{partner_id}|{v['channel']}|{agent_key}|{period.type}|{period.start}",
            agent_key=agent_key,
            agent_name=v["agent_name"] or "",
            channel=v["channel"],
            period_type=period.type.value,
            period_start=period.start,
            day=period.start,
            payload=counts,
        )

    def stage_roster(self, number: int, partner_id: int, v: dict[str, Any]) -> StagedRow:
        last = max(d for d in (v["hire_date"], v["leaving_date"], clock.today(self.zone)) if d)
        self.result.touch(partner_id, v["hire_date"], last)
        return StagedRow(
            batch=self.batch,
            row=number,
            partner_id=partner_id,
            key=f"{partner_id}|{v['agent_id']}",
            ref=v["agent_id"],
            agent_key=v["agent_id"],
            agent_name=v["name"],
            team=v["team"] or "",
            channel=v["channel"] or "",
            day=v["hire_date"],
            payload={
                "name": v["name"],
                "hire_date": v["hire_date"].isoformat(),
                "leaving_date": v["leaving_date"].isoformat() if v["leaving_date"] else None,
            },
        )

    # file-wide checks -----------------------------------------------------------

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

    def check_overlapping_periods(self) -> None:
        """A report whose days overlap a report of another period type, for the same partner
        and channel and an overlapping scope (the same agent; or a whole channel and any of
        its agents), would count the same contacts twice: refused, whether the other report
        is in this file or already stored (docs/imports.md, "One period type for a period").
        Reports of one type never overlap: the same type and start is the same report, and
        sending it again updates it.

        One query, whatever the number of rows. Each staged row looks up, per scope, the first
        overlapping row of the file and the first overlapping stored report (`_overlapping`):
        each lookup is on an index's prefix (the batch, partner and agent of staged rows; the
        partner, channel and agent of stored reports), so it reads one agent's reports, not
        the partner's. A row in conflict with both is told about the one in the file. The
        other report comes back as one string (dates as ISO text on both databases), so that
        its lookup runs once."""
        same_channel = {"partner_id": OuterRef("partner_id"), "channel": OuterRef("channel")}
        whole_channel_here = Exact(OuterRef("agent_key"), Value(""))
        in_file = StagedRow.objects.filter(batch=self.batch, **same_channel).filter(_overlapping())
        file_row = Concat(
            Cast("row", CharField()), Value("|"), "period_type", Value("|"),
            Cast("period_start", CharField()), Value("|"), "agent_key",
            output_field=CharField(),
        )  # fmt: skip
        stored = AggregateReport.objects.filter(**same_channel).filter(_overlapping())
        # The agent's id, so that its stored reports are found on the unique index's prefix.
        agent_pk = Agent.objects.filter(
            partner_id=OuterRef("partner_id"), external_id=OuterRef("agent_key")
        ).values("pk")[:1]
        stored_report = Concat(
            "period_type", Value("|"), Cast("period_start", CharField()), Value("|"),
            Coalesce("agent__external_id", Value("")),
            output_field=CharField(),
        )  # fmt: skip

        def first(queryset: QuerySet[Any], description: Concat) -> Subquery:
            ordered = queryset.annotate(description=description).order_by("period_start", "pk")
            return Subquery(ordered.values("description")[:1])

        # Per scope, so that each lookup is an index range: the row's own agent (or whole
        # channel), then the whole channel, then (for a whole-channel row) any agent.
        rows = (
            self.staged.annotate(
                **_containing_starts(), next_start=_next_start(), agent_pk=Subquery(agent_pk)
            )
            .annotate(
                file_other=Coalesce(
                    first(in_file.filter(agent_key=OuterRef("agent_key")), file_row),
                    first(in_file.filter(agent_key=""), file_row),
                    first(in_file.filter(whole_channel_here, agent_key__gt=""), file_row),
                ),
                stored_other=Coalesce(
                    first(stored.filter(agent_id=OuterRef("agent_pk")), stored_report),
                    first(stored.filter(agent__isnull=True), stored_report),
                    first(stored.filter(whole_channel_here, agent__isnull=False), stored_report),
                ),
            )
            .filter(Q(file_other__isnull=False) | Q(stored_other__isnull=False))
            .order_by("row")
        )
        for staged in rows.iterator():
            if staged.file_other is not None:
                row, other_type, other_start, other_agent = staged.file_other.split("|", 3)
                file_row_number: int | None = int(row)
            else:
                other_type, other_start, other_agent = staged.stored_other.split("|", 2)
                file_row_number = None
            self.log.add(
                self._overlap_problem(
                    staged,
                    other_type,
                    date.fromisoformat(other_start),
                    other_agent,
                    file_row=file_row_number,
                )
            )
            if self.log.full:
                return

    def _overlap_problem(
        self,
        staged: StagedRow,
        other_type: str,
        other_start: date,
        other_agent: str,
        *,
        file_row: int | None,
    ) -> Problem:
        """The refusal of a staged row overlapping another report: a row of this import
        (`file_row`) or a stored report."""
        assert staged.period_start is not None  # every staged aggregate row has one
        period = Period(PeriodType(staged.period_type), staged.period_start)
        other = Period(PeriodType(other_type), other_start)
        other_kind = PERIOD_WORDS[other.type]
        remedy = "send one period type for a period"
        if other_agent != staged.agent_key:
            remedy += ", and either per-agent or whole-channel numbers"
        if file_row is None:
            where = "stored"
            remedy += f" (a corrected {other_kind} report replaces the stored one)"
        else:
            where = f"row {file_row:,} of this import"
        return Problem(
            staged.row,
            self.reader.label("period_start"),
            str(staged.period_start),
            f"{self.partners[staged.partner_id].name} already has a {other_kind} "
            f"{staged.channel} report {_scope(other_agent)} covering {_days(other)} ({where}); "
            f"a {PERIOD_WORDS[period.type]} report {_scope(staged.agent_key)} covering "
            f"{_days(period)} would count those contacts twice: {remedy}",
        )

    # writing ----------------------------------------------------------------------

    def _agent_ids(self) -> dict[tuple[int, str], int]:
        """Ids of the agents the staged rows name (at most the partners' rosters)."""
        agents = Agent.objects.filter(
            partner_id__in=list(self.partners),
            external_id__in=self.staged.exclude(agent_key="").values("agent_key"),
        ).values_list("partner_id", "external_id", "pk")
        return {(partner_id, external_id): pk for partner_id, external_id, pk in agents}

    def _count_existing(self, exists: Any) -> None:
        self.result.rows_updated = self.staged.filter(exists).count()
        self.result.rows_created = self.result.rows_total - self.result.rows_updated

    def write_interactions(self) -> None:
        self._count_existing(
            Exists(
                Interaction.objects.filter(
                    partner_id=OuterRef("partner_id"), external_id=OuterRef("ref")
                )
            )
        )
        agents = self._agent_ids()
        update_fields = [
            "agent",
            "channel",
            "interaction_type",
            "opened_at",
            *INTERACTION_COLUMNS,
            "batch",
            "updated_at",
        ]
        now = clock.now()
        for chunk in _chunks(self.staged.order_by("row").iterator(chunk_size=WRITE_BATCH)):
            Interaction.objects.bulk_create(
                [
                    Interaction(
                        partner_id=s.partner_id,
                        agent_id=agents[(s.partner_id, s.agent_key)],
                        batch=self.batch,
                        created_at=now,
                        updated_at=now,
                        opened_at=datetime.fromisoformat(s.payload["opened_at"]),
                        channel=s.payload["channel"],
                        interaction_type_id=s.payload["interaction_type_id"],
                        external_id=s.payload["external_id"],
                        **{name: s.payload[name] for name in INTERACTION_COLUMNS},
                    )
                    for s in chunk
                ],
                update_conflicts=True,
                unique_fields=["partner", "external_id"],
                update_fields=update_fields,
            )

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
        for chunk in _chunks(self.staged.order_by("row").iterator(chunk_size=WRITE_BATCH)):
            AggregateReport.objects.bulk_create(
                AggregateReport(
                    partner_id=s.partner_id,
                    channel=s.channel,
                    agent_id=agents[(s.partner_id, s.agent_key)] if s.agent_key else None,
                    period_type=s.period_type,
                    period_start=s.period_start,
                    batch=self.batch,
                    **s.payload,
                )
                for s in chunk
            )

    def write_roster(self) -> None:
        self._count_existing(
            Exists(
                Agent.objects.filter(partner_id=OuterRef("partner_id"), external_id=OuterRef("ref"))
            )
        )
        # New teams first, with the channel their first row gives.
        teams: dict[tuple[int, str], Team] = {
            (t.partner_id, t.name.lower()): t
            for t in Team.objects.filter(partner_id__in=list(self.partners))
        }
        wanted: dict[tuple[int, str], tuple[str, str]] = {}
        new_teams = (
            self.staged.exclude(team="").order_by("row").only("partner_id", "team", "channel")
        )
        for s in new_teams.iterator():
            key = (s.partner_id, s.team.lower())
            if key not in teams and key not in wanted:
                wanted[key] = (s.team, s.channel)
        Team.objects.bulk_create(
            Team(partner_id=partner_id, name=name, channel=channel)
            for (partner_id, _), (name, channel) in wanted.items()
        )
        teams = {
            (t.partner_id, t.name.lower()): t
            for t in Team.objects.filter(partner_id__in=list(self.partners))
        }
        update_fields = ["name", "hire_date", "leaving_date", "updated_at"]
        if "team" not in self.reader.missing_optional:
            update_fields.append("team")
        now = clock.now()
        for chunk in _chunks(self.staged.order_by("row").iterator(chunk_size=WRITE_BATCH)):
            Agent.objects.bulk_create(
                [
                    Agent(
                        partner_id=s.partner_id,
                        external_id=s.ref,
                        name=s.payload["name"],
                        team=teams.get((s.partner_id, s.team.lower())),
                        hire_date=date.fromisoformat(s.payload["hire_date"]),
                        leaving_date=date.fromisoformat(s.payload["leaving_date"])
                        if s.payload["leaving_date"]
                        else None,
                        created_at=now,
                        updated_at=now,
                    )
                    for s in chunk
                ],
                update_conflicts=True,
                unique_fields=["partner", "external_id"],
                update_fields=update_fields,
            )

    def enqueue_recompute(self) -> None:
        """Once the import commits, say which days changed: `kpis.tasks` recomputes them."""
        for partner_id, (first, last) in self.result.ranges.items():
            transaction.on_commit(
                lambda p=partner_id, f=first, la=last: rows_imported.send(
                    sender=Importer, partner_id=p, first=f, last=la
                )
            )


def aggregate_counts(v: Mapping[str, Any]) -> dict[str, int]:
    """Snapshot counts from the columns of an aggregate report row."""
    counts = {"contacts": v["contacts"]}
    for prefix, (measured, count) in AGGREGATE_PAIRS.items():
        total_or_yes = "seconds" if prefix in {"handle", "frt"} else "yes"
        counts[f"{prefix}_n"] = v[measured] or 0
        counts[f"{prefix}_{total_or_yes}"] = v[count] or 0
    counts.update(
        csat_n=v["csat_responses"] or 0,
        csat_positive=v["csat_positive"] or 0,
        nps_n=v["nps_responses"] or 0,
        nps_promoters=v["nps_promoters"] or 0,
        nps_detractors=v["nps_detractors"] or 0,
        ces_n=v["ces_responses"] or 0,
        ces_sum=v["ces_total"] or 0,
    )
    return counts


def _chunks(items: Iterator[StagedRow], size: int = WRITE_BATCH) -> Iterator[list[StagedRow]]:
    chunk: list[StagedRow] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# OVERLAPPING PERIODS
# ------------------------------------------------------------------------------

PERIOD_WORDS = {
    PeriodType.DAY: "daily",
    PeriodType.WEEK: "weekly",
    PeriodType.MONTH: "monthly",
    PeriodType.QUARTER: "quarterly",
}


def _containing_starts() -> dict[str, F | Trunc]:
    """`in_<type>`: the first day of the day, week, month and quarter holding a report's first
    day (weeks are ISO weeks: Trunc starts them on Monday, on SQLite and PostgreSQL)."""
    starts: dict[str, F | Trunc] = {f"in_{PeriodType.DAY}": F("period_start")}
    for t in (PeriodType.WEEK, PeriodType.MONTH, PeriodType.QUARTER):
        starts[f"in_{t}"] = Trunc("period_start", t.value, output_field=DateField())
    return starts


def _next_start() -> Case:
    """The day after a report's last day: the start of the next period of its type, which
    holds the day `max_days` after its first day (`kpis.periods.Period.next`)."""
    return Case(
        *(
            When(
                period_type=t.value,
                then=Trunc(
                    Cast(F("period_start") + timedelta(days=t.max_days), DateField()),
                    t.value,
                    output_field=DateField(),
                ),
            )
            for t in PeriodType
        ),
        output_field=DateField(),
    )


def _overlapping() -> Q:
    """Reports whose days overlap those of the outer report (annotated with
    `_containing_starts` and `_next_start`) and of another period type.

    A report of type T shares a day with the outer report when it starts before the day
    after the outer report's last day, and no earlier than the T holding the outer report's
    first day (any earlier T ends before that day). So a week across a month's end overlaps
    both months, and a month overlaps the week that holds its first day."""
    # Cheap tests first, date arithmetic last: SQLite evaluates them in this order, and a
    # report of the outer one's own type (most of them) is passed over at the first test.
    overlap = Q()
    for t in PeriodType:
        overlap |= Q(period_type=t.value) & Q(
            period_start__gte=OuterRef(f"in_{t.value}"),
            period_start__lt=OuterRef("next_start"),
        )
    return ~Q(period_type=OuterRef("period_type")) & overlap


def _scope(agent_key: str) -> str:
    return f"for agent {agent_key}" if agent_key else "for the whole channel"


def _days(period: Period) -> str:
    """The days of a period in words: '5 March 2026', '2-8 March 2026',
    '30 March to 5 April 2026', '29 December 2025 to 4 January 2026'."""
    start, end = period.start, period.end
    if start == end:
        return f"{end.day} {end:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} to {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
