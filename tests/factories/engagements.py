"""Scopes, candidates and their quotes for tests, through `engagements.services` (so that
each is checked like one entered on the page)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core import clock
from core.scoping import Viewer
from engagements import services
from engagements.models import Candidate, ScopeVersion, Selection
from partners.models import InteractionType, Partner

# The typical month of docs/domain.md, "Scope": 5,000 contacts, chat and email.
MIX = [
    ("chat", "order-status", 2500),
    ("chat", "product-question", 1200),
    ("email", "complaint-return", 800),
    ("email", "billing", 300),
    ("email", "escalation", 200),
]


def make_scope(
    pm: Viewer,
    types: dict[str, Any],
    *,
    partner: Partner | None = None,
    selection: Selection | None = None,
    governance_fte_cost: Decimal = Decimal(8000),
) -> ScopeVersion:
    """The typical mix in business hours (UTC), 1.5 governance FTEs, an in-house chat
    baseline and a GDPR item, for a partner or a selection."""
    return services.scope_save(
        viewer=pm,
        partner=partner,
        selection=selection,
        data=services.ScopeInput(
            monthly_volume=5000,
            first_month=date(clock.today().year - 2, 1, 1),
            lines=[services.LineInput(ch, types[code], n) for ch, code, n in MIX],
            shifts=["business_hours"],
            governance_fte=Decimal("1.5"),
            governance_fte_cost=governance_fte_cost,
            months={date(clock.today().year + 5, 12, 1): 7000},  # a peak, far ahead
            baselines=[
                services.BaselineInput(
                    "chat", csat_pct=Decimal(88), fcr_pct=Decimal(80), cost_per_contact=Decimal(6)
                )
            ],
            items=[services.ItemInput("compliance", "GDPR processing agreement", "gdpr")],
        ),
    )


def line(
    channel: str,
    pricing_model: str,
    amount: str | Decimal,
    *,
    kind: InteractionType | None = None,
    **more: object,
) -> services.RateInput:
    """One line of a quote: `line("chat", "per_contact", "2.50")`."""
    return services.RateInput(
        channel=channel,
        pricing_model=pricing_model,
        rate=Decimal(amount),
        interaction_type=kind,
        **more,  # type: ignore[arg-type]
    )


def bid(
    viewer: Viewer,
    selection: Selection,
    name: str,
    rates: list[services.RateInput] | None = None,
    **fields: object,
) -> Candidate:
    """A candidate of `selection` with its quote: `rates`, by default 18.00 an agent hour on
    chat."""
    values: dict[str, object] = {"delivery_model": "nearshore", **fields}
    return services.candidate_save(
        viewer=viewer,
        candidate=Candidate(selection=selection, name=name, **values),
        rates=rates if rates is not None else [line("chat", "per_hour", "18.00")],
    )
