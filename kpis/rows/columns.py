"""How a file names Keel's fields (`ColumnMap`), and the presets for the helpdesk exports
Keel knows: its own columns, Zendesk and Freshdesk (docs/imports.md). Pure: standard
library only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kpis.rows.fields import Kind


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
