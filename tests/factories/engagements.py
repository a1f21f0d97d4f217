"""Candidates and their quotes for tests, through `engagements.services` (so that a quote is
checked like one entered on the page)."""

from __future__ import annotations

from decimal import Decimal

from core.scoping import Viewer
from engagements import services
from engagements.models import Candidate, Selection
from partners.models import InteractionType


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
