"""The fields of each kind of KPI import: their names, types, limits and help text, as
docs/imports.md documents them. Pure: standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_TEXT = 200


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
