"""Reading one row of KPI data through a column map: each value checked, then the rules
that involve several values of the row. Pure: standard library only.

Every problem names its row and column in words a person can act on, for example
"row 1,204, column csat: '6' is outside 1-5". Rows are numbered as in a spreadsheet: the
header is row 1, so the first data row is row 2. (For API calls, row 1 is the first row.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kpis.periods import Period, PeriodType
from kpis.rows.columns import ColumnMap
from kpis.rows.fields import AGGREGATE_PAIRS, FIELDS, Field, FieldType, Kind
from kpis.rows.values import (
    Context,
    RowError,
    is_blank,
    parse_boolean,
    parse_channel,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_integer,
    parse_text,
    shown,
)


@dataclass(frozen=True)
class Problem:
    row: int  # spreadsheet row; 0 for the file as a whole
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = "the file" if self.row == 0 else f"row {self.row:,}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class RowReader:
    """Reads rows of one kind through a column map. Built once per file or API call."""

    kind: Kind
    column_map: ColumnMap
    ctx: Context
    header: Sequence[str] | None = None  # None: rows are mappings keyed by Keel field names
    file_problems: list[Problem] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fields = FIELDS[self.kind]
        self.index: dict[str, int] = {}
        if self.header is None:
            return
        positions: dict[str, int] = {}
        for i, name in enumerate(self.header):
            positions.setdefault(str(name).strip().lower(), i)
        missing = []
        for spec in self.fields:
            column = self.column_map.column(spec.name)
            position = positions.get(column.strip().lower())
            if position is not None:
                self.index[spec.name] = position
            elif spec.required:
                missing.append(spec.name if column == spec.name else f"{spec.name} ('{column}')")
            else:
                self.missing_optional.append(spec.name)
        if missing:
            found = ", ".join(f"'{h}'" for h in self.header[:20])
            hint = ""
            if len(self.header) == 1 and any(d in self.header[0] for d in ";\t|"):
                hint = " The header is one single column: is the delimiter right?"
            self.file_problems.append(
                Problem(
                    0,
                    "",
                    "",
                    f"missing columns: {', '.join(missing)}. The file's columns are: {found}."
                    + hint,
                )
            )

    def label(self, name: str) -> str:
        column = self.column_map.column(name)
        return name if column == name else f"{column} ({name})"

    def raw_values(self, row: Sequence[str] | Mapping[str, object]) -> dict[str, object]:
        if isinstance(row, Mapping):
            return {spec.name: row.get(spec.name) for spec in self.fields}
        return {name: row[i] if i < len(row) else None for name, i in self.index.items()}

    def parse(
        self, number: int, row: Sequence[str] | Mapping[str, object]
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The row's values by Keel field name (None where a value is missing or wrong) and
        its problems; the row is usable only when there are none."""
        if (
            self.header is not None
            and not isinstance(row, Mapping)
            and len(row) != len(self.header)
        ):
            return {}, [
                Problem(
                    number,
                    "",
                    "",
                    f"has {len(row)} values but the header has {len(self.header)} columns",
                )
            ]
        raw = self.raw_values(row)
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for spec in self.fields:
            value = raw.get(spec.name)
            aliases = self.column_map.values.get(spec.name)
            if aliases and not is_blank(value):
                lowered = {str(k).strip().lower(): v for k, v in aliases.items()}
                value = lowered.get(str(value).strip().lower(), value)
            if is_blank(value):
                if spec.required:
                    problems.append(
                        Problem(
                            number, self.label(spec.name), "", "is empty, but every row needs it"
                        )
                    )
                values[spec.name] = None
                continue
            try:
                values[spec.name] = self.parse_value(spec, value)
            except RowError as exc:
                problems.append(Problem(number, self.label(spec.name), shown(value), str(exc)))
        if not problems:
            problems.extend(self.check_row(number, values))
        return values, problems

    def parse_value(self, spec: Field, value: object) -> Any:
        if spec.type is FieldType.TEXT:
            return parse_text(value, spec.max_length)
        if spec.type in (FieldType.INTEGER, FieldType.COUNT):
            return parse_integer(value, spec)
        if spec.type is FieldType.BOOLEAN:
            return parse_boolean(value)
        if spec.type is FieldType.DATETIME:
            return parse_datetime(value, self.ctx)
        if spec.type is FieldType.DATE:
            return parse_date(value)
        if spec.type is FieldType.DURATION:
            return parse_duration(value, self.column_map.units.get(spec.name, "seconds"))
        return parse_channel(value)

    def check_row(self, number: int, values: dict[str, Any]) -> list[Problem]:
        """Rules that involve several values of one row."""
        if self.kind is Kind.INTERACTIONS:
            return self._check_interaction(number, values)
        if self.kind is Kind.AGGREGATES:
            return self._check_aggregate(number, values)
        return self._check_roster(number, values)

    def _check_interaction(self, number: int, v: dict[str, Any]) -> list[Problem]:
        if v["escalation_resolved_l1"] is not None and v["escalated"] is False:
            return [
                Problem(
                    number,
                    self.label("escalation_resolved_l1"),
                    str(v["escalation_resolved_l1"]),
                    "is filled in but the contact was not escalated",
                )
            ]
        return []

    def _check_aggregate(self, number: int, v: dict[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        start, end = v["period_start"], v["period_end"]
        period = period_of(start, end)
        if period is None:
            problems.append(
                Problem(
                    number,
                    self.label("period_end"),
                    str(end),
                    f"{start} to {end} is not one day, ISO week (Monday to Sunday), calendar "
                    "month or quarter",
                )
            )
        elif start > self.ctx.now.date():
            problems.append(
                Problem(number, self.label("period_start"), str(start), "is in the future")
            )
        v["period"] = period
        contacts = v["contacts"]
        for measured_name, count_name in AGGREGATE_PAIRS.values():
            measured, count = v[measured_name], v[count_name]
            if count is not None and measured is None:
                # Measured on every contact unless said otherwise.
                v[measured_name] = measured = contacts
            if measured is not None and measured > contacts:
                problems.append(
                    Problem(
                        number,
                        self.label(measured_name),
                        str(measured),
                        f"is more than the {contacts} contacts",
                    )
                )
            is_total = count_name.endswith("_total")
            if count is not None and measured is not None and not is_total and count > measured:
                problems.append(
                    Problem(
                        number,
                        self.label(count_name),
                        str(count),
                        f"is more than the {measured} contacts it was measured on",
                    )
                )
        for part, whole in (
            ("csat_positive", "csat_responses"),
            ("nps_promoters", "nps_responses"),
            ("nps_detractors", "nps_responses"),
        ):
            if v[part] is not None and (v[whole] is None or v[part] > v[whole]):
                problems.append(
                    Problem(
                        number,
                        self.label(part),
                        str(v[part]),
                        f"is more than {self.label(whole)} ({v[whole] or 0})",
                    )
                )
        promoters, detractors, answers = (
            v["nps_promoters"] or 0,
            v["nps_detractors"] or 0,
            v["nps_responses"] or 0,
        )
        if promoters + detractors > answers:
            problems.append(
                Problem(
                    number,
                    self.label("nps_detractors"),
                    str(detractors),
                    f"promoters and detractors add up to more than the {answers} answers",
                )
            )
        ces_n, ces_total = v["ces_responses"] or 0, v["ces_total"]
        if ces_total is not None and not ces_n <= ces_total <= 7 * ces_n:
            problems.append(
                Problem(
                    number,
                    self.label("ces_total"),
                    str(ces_total),
                    f"cannot be the sum of {ces_n} answers on a 1-7 scale",
                )
            )
        return problems

    def _check_roster(self, number: int, v: dict[str, Any]) -> list[Problem]:
        if v["leaving_date"] is not None and v["leaving_date"] < v["hire_date"]:
            return [
                Problem(
                    number,
                    self.label("leaving_date"),
                    str(v["leaving_date"]),
                    f"is before the hire date {v['hire_date']}",
                )
            ]
        if v["hire_date"] > self.ctx.now.date():
            return [
                Problem(number, self.label("hire_date"), str(v["hire_date"]), "is in the future")
            ]
        return []


def period_of(start: date, end: date) -> Period | None:
    """The day, ISO week, month or quarter that runs exactly from start to end, if any."""
    for period_type in PeriodType:
        period = Period.containing(period_type, start)
        if period.start == start and period.end == end:
            return period
    return None
