"""Reads for contracts, their rate cards and their SLAs' bands, shaped for the pages: a rate
card as people compare prices (headline against loaded rate), a governed KPI's bands as the
contract writes them. Every read starts from `core.scoping`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.functional import cached_property

from core.scoping import Viewer, get_scoped_or_404, scope
from kpis.domain import Direction
from partners.models import Channel
from sla import domain
from sla.currency import minor_digits
from sla.models import (
    Band,
    ChannelVolume,
    Contract,
    ExitCriterion,
    GovernedKpi,
    PricingModel,
    RateLine,
    Sla,
)

# RATE CARDS
# ------------------------------------------------------------------------------

PER = {
    PricingModel.PER_HOUR: "/h",
    PricingModel.PER_FTE: "/FTE-month",
    PricingModel.PER_CONTACT: "/contact",
    PricingModel.PER_RESOLVED: "/resolved contact",
    PricingModel.OUTCOME: "/channel-month",
}


def per_unit(line: RateLine) -> str:
    """'/h', '/contact', ...: what one rate of the line buys."""
    model = line.hybrid_base if line.pricing_model == PricingModel.HYBRID else None
    return PER.get(PricingModel(model or line.pricing_model), "")


@dataclass(frozen=True)
class RateRow:
    """One rate-card line as people compare prices: its headline rate and its loaded rate,
    with what each loaded-cost component adds (docs/sla.md, "Rate cards")."""

    line: RateLine
    currency: str
    minor: int

    def money(self, amount: Decimal) -> str:
        return domain.format_money(amount, self.currency, self.minor)

    @property
    def what(self) -> str:
        """'Chat', or 'Chat · Complaints'."""
        channel = self.line.get_channel_display()
        kind = self.line.interaction_type
        return f"{channel} · {kind.name}" if kind else channel

    @property
    def per(self) -> str:
        return per_unit(self.line)

    @property
    def headline(self) -> str:
        """'18.00 USD/h', or '12.00 USD/h + 1.50 USD per resolved contact' (hybrid)."""
        line = self.line
        text = f"{self.money(line.rate)}{self.per}"
        if line.pricing_model == PricingModel.HYBRID and line.resolution_bonus:
            text += f" + {self.money(line.resolution_bonus)} per resolved contact"
        return text

    @property
    def loaded(self) -> str:
        return f"{self.money(self.line.loaded_rate)}{self.per}"

    @property
    def text(self) -> str:
        """'Chat: 3.00 USD/contact, loaded 3.57 USD/contact'."""
        return f"{self.what}: {self.headline}, loaded {self.loaded}"


@dataclass(frozen=True)
class RateCard:
    """A contract's price: its rate-card lines, and the loaded-cost components on top of
    every headline rate (docs/sla.md: headline rate is not loaded rate)."""

    contract: Contract

    @property
    def minor(self) -> int:
        return minor_digits(self.contract.currency)

    @cached_property
    def rows(self) -> list[RateRow]:
        return [
            RateRow(line, self.contract.currency, self.minor) for line in self.contract.rates.all()
        ]

    @property
    def loaded_pct(self) -> str:
        return domain.plain_number(self.contract.loaded_pct)

    @property
    def needs_volumes(self) -> list[str]:
        """The channels whose lines bill on entered agent hours or FTE."""
        on_volumes = {PricingModel.PER_HOUR, PricingModel.PER_FTE}
        return [
            row.line.get_channel_display().lower()
            for row in self.rows
            if row.line.pricing_model in on_volumes or row.line.hybrid_base in on_volumes
        ]

    @property
    def typed_channels(self) -> set[str]:
        """Channels with a line for some interaction type: their other line prices the rest."""
        return {line.channel for line in self.contract.rates.all() if line.interaction_type_id}

    @property
    def components(self) -> list[tuple[str, str]]:
        """(label, percentage) of each component entered."""
        return [
            (label, domain.plain_number(pct))
            for label, pct in self.contract.loaded_components.items()
            if pct
        ]

    @property
    def models(self) -> str:
        """'Per agent hour (voice), per contact (chat, email)'."""
        by_model: dict[str, list[str]] = defaultdict(list)
        for line in self.contract.rates.all():
            label = line.get_channel_display().lower()
            if label not in by_model[line.get_pricing_model_display()]:
                by_model[line.get_pricing_model_display()].append(label)
        text = ", ".join(f"{model.lower()} ({', '.join(ch)})" for model, ch in by_model.items())
        return text[:1].upper() + text[1:]


# BANDS
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BandRow:
    band: Band
    bounds: str


@dataclass(frozen=True)
class GovernedView:
    governed: GovernedKpi
    bands: list[BandRow]  # best values first, as contracts write them
    warnings: list[str]


def governed_view(governed: GovernedKpi) -> GovernedView:
    definition = governed.definition
    bands = list(governed.bands.all())
    rows = [BandRow(b, domain.bounds_text(b.spec, definition)) for b in bands]
    if definition.direction is Direction.HIGHER_IS_BETTER:
        rows.reverse()
    specs = [b.spec for b in bands]
    warnings = domain.band_warnings(specs, definition, guardrail=governed.guardrail)
    return GovernedView(governed, rows, warnings)


# CONTRACTS
# ------------------------------------------------------------------------------

RATES = Prefetch("rates", queryset=RateLine.objects.select_related("interaction_type"))


def contract_for(viewer: Viewer, pk: int) -> Contract:
    """One contract with its partner and rate card; 404 when the viewer may not see it."""
    return get_scoped_or_404(
        Contract.objects.select_related("partner").prefetch_related(RATES), viewer, pk=pk
    )


def sla_for(viewer: Viewer, pk: int) -> Sla:
    """One SLA with its contract and partner; 404 when the viewer may not see it."""
    return get_scoped_or_404(Sla.objects.select_related("contract__partner"), viewer, pk=pk)


def contracts_list(viewer: Viewer) -> QuerySet[Contract]:
    """Contracts by partner, newest first, with their rate cards and SLA counts: one query
    for a page however many contracts."""
    return (
        scope(Contract, viewer)
        .select_related("partner")
        .prefetch_related(RATES)
        .annotate(sla_count=Count("slas"))
        .order_by("partner__name", "-start_date", "pk")
    )


@dataclass(frozen=True)
class ContractDetail:
    """A contract's page: its rate card, its SLAs with their bands, the volumes entered
    (one row per month, one column per channel with any) and its exit criteria."""

    contract: Contract
    card: RateCard
    slas: list[tuple[Sla, list[GovernedView]]]
    volume_channels: list[Channel]
    volume_rows: list[tuple[date, list[ChannelVolume | None]]]
    exit_criteria: list[ExitCriterion]


def contract_detail(viewer: Viewer, pk: int) -> ContractDetail:
    contract = contract_for(viewer, pk)
    slas = contract.slas.prefetch_related(
        Prefetch(
            "governed",
            queryset=GovernedKpi.objects.prefetch_related(
                Prefetch("bands", queryset=Band.objects.order_by("position"))
            ),
        )
    )
    volumes = list(contract.volumes.order_by("month", "channel"))
    by_month: dict[date, dict[str, Any]] = defaultdict(dict)
    for volume in volumes:
        by_month[volume.month][volume.channel] = volume
    channels = [c for c in Channel if any(v.channel == c for v in volumes)]
    return ContractDetail(
        contract=contract,
        card=RateCard(contract),
        slas=[(sla, [governed_view(g) for g in sla.governed.all()]) for sla in slas],
        volume_channels=channels,
        volume_rows=[
            (month, [row.get(c.value) for c in channels]) for month, row in by_month.items()
        ],
        exit_criteria=list(contract.exit_criteria.all()),
    )
