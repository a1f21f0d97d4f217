"""Reading one row of KPI data: the fields of each kind of import, how a file's columns map
onto them, and how each value is checked. Pure: standard library only.

Every problem names its row and column in words a person can act on, for example
"row 1,204, column csat: '6' is outside 1-5". Rows are numbered as in a spreadsheet: the
header is row 1, so the first data row is row 2. (For API calls, row 1 is the first row.)
The columns of each kind, and the Zendesk and Freshdesk presets, are documented in
docs/imports.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any

from kpis.periods import Period, PeriodType

MAX_TEXT = 200
WHOLE_NUMBER = re.compile(r"^(-?\d+)(?:\.0+)?$")


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


class FieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    COUNT = "count"  # a non-negative integer
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    DATE = "date"
    DURATION = "duration"  # seconds, or minutes/hours with a unit, or H:MM:SS
    CHANNEL = "channel"


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = MAX_TEXT
    help: str = ""


class Kind(StrEnum):
    INTERACTIONS = "interactions"
    AGGREGATES = "aggregates"
    ROSTER = "roster"


F = FieldType
INTERACTION_FIELDS = (
    Field("partner", F.TEXT, help="Partner name or id; only when the upload is for several."),
    Field("agent_id", F.TEXT, True, max_length=100, help="The partner's own id for the agent."),
    Field("agent_name", F.TEXT, help="Used when an unknown agent is added to the roster."),
    Field("channel", F.CHANNEL, True, help="voice, email, chat or social."),
    Field("interaction_type", F.TEXT, True, help="Code or name of an interaction type."),
    Field("external_id", F.TEXT, True, max_length=100, help="The contact's id in its system."),
    Field("opened_at", F.DATETIME, True, help="When the contact came in (ISO 8601)."),
    Field("first_response_seconds", F.DURATION, help="Time to first reply."),
    Field("handle_seconds", F.DURATION, help="Handle time."),
    Field("resolved_first_contact", F.BOOLEAN, help="No repeat contact within 7 days."),
    Field("reopened", F.BOOLEAN, help="Re-opened within 7 days (a count > 0 means yes)."),
    Field("escalated", F.BOOLEAN),
    Field("escalation_resolved_l1", F.BOOLEAN, help="Escalation closed without going in-house."),
    Field("csat", F.INTEGER, minimum=1, maximum=5, help="Survey answer on a 1-5 scale."),
    Field("nps", F.INTEGER, minimum=0, maximum=10, help="Survey answer on a 0-10 scale."),
    Field("ces", F.INTEGER, minimum=1, maximum=7, help="Customer effort answer on a 1-7 scale."),
    Field("sla_met", F.BOOLEAN, help="Answered or resolved within the agreed window."),
)

# Aggregate columns and the snapshot counts they feed: (measured-on column, count column).
AGGREGATE_PAIRS: dict[str, tuple[str, str]] = {
    "fcr": ("fcr_measured", "fcr_resolved"),
    "reopen": ("reopen_measured", "reopened"),
    "escalation": ("escalation_measured", "escalated"),
    "escalation_l1": ("escalation_l1_measured", "escalation_resolved_l1"),
    "sla": ("sla_measured", "sla_met"),
    "handle": ("handle_measured", "handle_seconds_total"),
    "frt": ("first_response_measured", "first_response_seconds_total"),
}
AGGREGATE_FIELDS = (
    Field("partner", F.TEXT, help="Partner name or id; only when the upload is for several."),
    Field("agent_id", F.TEXT, max_length=100, help="Empty for a whole channel's numbers."),
    Field("agent_name", F.TEXT),
    Field("channel", F.CHANNEL, True),
    Field("period_start", F.DATE, True, help="First day: a day, ISO week, month or quarter."),
    Field("period_end", F.DATE, True, help="Last day of that same period."),
    Field("contacts", F.COUNT, True),
    *(Field(name, F.COUNT) for pair in AGGREGATE_PAIRS.values() for name in pair),
    Field("csat_responses", F.COUNT),
    Field("csat_positive", F.COUNT, help="Answers of 4 or 5 on a 1-5 scale."),
    Field("nps_responses", F.COUNT),
    Field("nps_promoters", F.COUNT, help="Answers of 9 or 10."),
    Field("nps_detractors", F.COUNT, help="Answers of 0 to 6."),
    Field("ces_responses", F.COUNT),
    Field("ces_total", F.COUNT, help="Sum of 1-7 answers."),
)

ROSTER_FIELDS = (
    Field("partner", F.TEXT, help="Partner name or id; only when the upload is for several."),
    Field("agent_id", F.TEXT, True, max_length=100),
    Field("name", F.TEXT, True),
    Field("team", F.TEXT, max_length=100, help="Team name; a new team needs its channel."),
    Field("channel", F.CHANNEL, help="The team's channel."),
    Field("hire_date", F.DATE, True),
    Field("leaving_date", F.DATE, help="Empty while the agent stays."),
)

FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.INTERACTIONS: INTERACTION_FIELDS,
    Kind.AGGREGATES: AGGREGATE_FIELDS,
    Kind.ROSTER: ROSTER_FIELDS,
}

TRUE_WORDS = {"true", "yes", "y", "1", "t", "x"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}
DURATION_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600}
CHANNEL_ALIASES = {
    "voice": "voice",
    "phone": "voice",
    "call": "voice",
    "telephony": "voice",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "chat": "chat",
    "live chat": "chat",
    "messaging": "social",
    "social": "social",
    "social messaging": "social",
}


@dataclass(frozen=True)
class ColumnMap:
    """How a file names Keel's fields.

    columns: field → the file's column header (case and spaces at the ends do not matter);
        a field not listed is looked for under its own name.
    units: duration field → "seconds", "minutes" or "hours" (default seconds).
    values: field → {the file's value: the value Keel expects}, e.g. Zendesk's
        {"Good": "5", "Bad": "1"} for csat; matched without regard to case.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.columns.get(name) or name

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ColumnMap:
        data = data or {}
        return cls(
            columns=dict(data.get("columns") or {}),
            units=dict(data.get("units") or {}),
            values={k: dict(v) for k, v in (data.get("values") or {}).items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "units": dict(self.units),
            "values": {k: dict(v) for k, v in self.values.items()},
        }


@dataclass(frozen=True)
class Context:
    """What checking a value needs to know beyond the row itself."""

    now: datetime  # timezone-aware; nothing may happen after it
    default_tz: tzinfo  # for times written without an offset


class RowError(ValueError):
    """One value is wrong; the message says why, without row or column."""


def _show(raw: object) -> str:
    text = str(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_text(raw: object, max_length: int = MAX_TEXT) -> str:
    text = str(raw).strip()
    if len(text) > max_length:
        raise RowError(f"is {len(text)} characters long; at most {max_length} fit")
    return text


def parse_integer(raw: object, spec: Field) -> int:
    if isinstance(raw, bool):
        raise RowError(f"'{raw}' is not a whole number")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        match = WHOLE_NUMBER.match(text)
        if not match:
            raise RowError(f"'{_show(raw)}' is not a whole number")
        value = int(match.group(1))
    if spec.type is FieldType.COUNT and value < 0:
        raise RowError(f"'{_show(raw)}' is negative; a count cannot be")
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and not low <= value <= high:
        raise RowError(f"'{_show(raw)}' is outside {low}-{high}")
    return value


def parse_boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    # A count of re-opens or escalations: any positive number means yes.
    if text.isdigit():
        return int(text) > 0
    raise RowError(f"'{_show(raw)}' is not yes or no (use true/false, yes/no or 1/0)")


def parse_datetime(raw: object, ctx: Context) -> datetime:
    text = str(raw).strip()
    value: datetime | None = None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y/%m/%d %H:%M:%S"):
            try:
                # Made timezone-aware just below when the text carries no offset.
                value = datetime.strptime(text, pattern)  # noqa: DTZ007
                break
            except ValueError:
                continue
    if value is None:
        raise RowError(f"'{_show(raw)}' is not a date and time (use ISO 8601: 2026-03-05 14:23:00)")
    if value.tzinfo is None:
        value = value.replace(tzinfo=ctx.default_tz)
    if value > ctx.now:
        raise RowError(f"'{_show(raw)}' is in the future")
    return value


def parse_date(raw: object) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    text = str(raw).strip()
    try:
        return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
    except ValueError:
        raise RowError(f"'{_show(raw)}' is not a date (use YYYY-MM-DD)") from None


def parse_duration(raw: object, unit: str) -> int:
    """Whole seconds from a number in `unit` or from H:MM:SS / MM:SS."""
    if isinstance(raw, bool):
        raise RowError(f"'{raw}' is not a duration")
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        text = str(raw).strip()
        if ":" in text:
            parts = text.split(":")
            if len(parts) > 3 or not all(p.isdigit() for p in parts):
                raise RowError(f"'{_show(raw)}' is not a duration (use seconds or H:MM:SS)")
            seconds = 0
            for part in parts:
                seconds = seconds * 60 + int(part)
            return seconds
        try:
            number = float(text)
        except ValueError:
            raise RowError(f"'{_show(raw)}' is not a duration (use seconds or H:MM:SS)") from None
    if number < 0:
        raise RowError(f"'{_show(raw)}' is negative; a duration cannot be")
    if number != number or number in (float("inf"), float("-inf")):
        raise RowError(f"'{_show(raw)}' is not a duration")
    return round(number * DURATION_UNITS[unit])


def parse_channel(raw: object) -> str:
    text = str(raw).strip().lower()
    if text in CHANNEL_ALIASES:
        return CHANNEL_ALIASES[text]
    raise RowError(f"'{_show(raw)}' is not a channel; use voice, email, chat or social")


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


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
                problems.append(Problem(number, self.label(spec.name), _show(value), str(exc)))
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


# PRESETS
# ------------------------------------------------------------------------------

KEEL = ColumnMap()

# Zendesk Support ticket export (CSV). Contact reason, FCR and escalation fields are custom
# ticket fields; their titles below are the ones docs/imports.md asks an admin to create.
ZENDESK = ColumnMap(
    columns={
        "external_id": "Id",
        "agent_id": "Assignee id",
        "agent_name": "Assignee",
        "channel": "Via",
        "interaction_type": "Contact reason",
        "opened_at": "Created at",
        "first_response_seconds": "First reply time in minutes",
        "handle_seconds": "Total time spent (sec)",
        "reopened": "Reopens",
        "csat": "Satisfaction Score",
        "resolved_first_contact": "First contact resolution",
        "escalated": "Escalated",
        "escalation_resolved_l1": "Escalation resolved at L1",
        "sla_met": "SLA achieved",
    },
    units={"first_response_seconds": "minutes"},
    values={
        "channel": {
            "Mail": "email",
            "Email": "email",
            "Web form": "email",
            "Web Widget": "chat",
            "Chat": "chat",
            "Messaging": "social",
            "Phone call (incoming)": "voice",
            "Phone call (outgoing)": "voice",
            "Voicemail": "voice",
            "Twitter": "social",
            "Facebook": "social",
            "WhatsApp": "social",
            "Instagram Direct": "social",
        },
        # Zendesk's satisfaction rating is good or bad: counted as 5 and 1 on Keel's scale.
        "csat": {"Good": "5", "Bad": "1", "Offered": "", "Unoffered": ""},
    },
)

# Freshdesk ticket export (CSV). Customer satisfaction and FCR are custom fields.
FRESHDESK = ColumnMap(
    columns={
        "external_id": "Ticket ID",
        "agent_id": "Agent",
        "agent_name": "Agent",
        "channel": "Source",
        "interaction_type": "Type",
        "opened_at": "Created time",
        "first_response_seconds": "First response time (in hrs)",
        "handle_seconds": "Time tracked",
        "sla_met": "Resolution status",
        "csat": "Customer satisfaction",
        "resolved_first_contact": "First contact resolution",
        "reopened": "Reopened",
        "escalated": "Escalated",
        "escalation_resolved_l1": "Escalation resolved at L1",
    },
    units={"first_response_seconds": "hours"},
    values={
        "channel": {
            "Email": "email",
            "Portal": "email",
            "Outbound Email": "email",
            "Feedback Widget": "email",
            "Phone": "voice",
            "Chat": "chat",
            "Bot": "chat",
            "Twitter": "social",
            "Facebook": "social",
            "WhatsApp": "social",
        },
        "sla_met": {"Within SLA": "yes", "SLA Violated": "no"},
    },
)

PRESETS: dict[str, tuple[str, Kind | None, ColumnMap]] = {
    "keel": ("Keel columns (as documented)", None, KEEL),
    "zendesk": ("Zendesk ticket export", Kind.INTERACTIONS, ZENDESK),
    "freshdesk": ("Freshdesk ticket export", Kind.INTERACTIONS, FRESHDESK),
}
