"""Staging: each checked row is written to `StagedRow` with the keys the file-wide checks
and the writers need (natural key, agent, channel, period, day) and the values to write as
its payload. What a payload holds for each kind is read back by that kind's writer
(`interactions`, `aggregates`, `roster`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from core import clock
from kpis.csvfiles import FileProblem
from kpis.importers.progress import progress_set
from kpis.importers.state import PROGRESS_EVERY, STAGE_BATCH, ImportRun
from kpis.models import StagedRow
from kpis.periods import Period
from kpis.rows import AGGREGATE_PAIRS, Kind, Problem

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


class Staging(ImportRun):
    """Reads every row through the batch's reader and stages the good ones."""

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
