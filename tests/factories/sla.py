"""Contracts, SLAs and bands for tests: `csat_sla(partner)` is the CSAT example of
docs/domain.md ("SLA bands")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kpis.models import KpiSnapshot
from partners.models import Channel, InteractionType, Partner
from sla import domain
from sla.models import ChannelVolume, Contract, GovernedKpi, RateLine, Sla

PRICE_FIELDS = ("pricing_model", "rate", "hybrid_base", "resolution_bonus")


def make_contract(
    partner: Partner, *, channels: tuple[str, ...] = tuple(Channel.values), **overrides: object
) -> Contract:
    """A contract whose rate card prices every channel in `channels` alike: per contact at
    4.00 unless `pricing_model`, `rate`, `hybrid_base` or `resolution_bonus` say otherwise."""
    price: dict[str, object] = {"pricing_model": "per_contact", "rate": Decimal("4.00")}
    price.update({name: overrides.pop(name) for name in PRICE_FIELDS if name in overrides})
    fields: dict[str, object] = {
        "name": "Master services agreement",
        "start_date": date(2026, 1, 1),
        "end_date": date(2027, 12, 31),
        "currency": "USD",
        "notice_days": 45,
        "credit_cap_pct": Decimal(10),
        "bonus_cap_pct": Decimal(5),
    }
    fields.update(overrides)
    contract = Contract.objects.create(partner=partner, **fields)
    RateLine.objects.bulk_create(
        RateLine(contract=contract, channel=channel, **price)  # type: ignore[arg-type]
        for channel in channels
    )
    return contract


def rate(
    contract: Contract,
    channel: str,
    pricing_model: str,
    amount: str,
    *,
    interaction_type: InteractionType | None = None,
    **more: object,
) -> RateLine:
    """Set one line of a contract's rate card (replacing the line it takes the place of)."""
    RateLine.objects.filter(
        contract=contract, channel=channel, interaction_type=interaction_type
    ).delete()
    return RateLine.objects.create(
        contract=contract, channel=channel, interaction_type=interaction_type,
        pricing_model=pricing_model, rate=Decimal(amount), **more,
    )  # fmt: skip


def make_sla(contract: Contract, **overrides: object) -> Sla:
    return Sla.objects.create(
        contract=contract, name=overrides.pop("name", "Quality SLA"), **overrides
    )


def govern(
    sla: Sla,
    channel: str,
    kpi: str,
    bands: tuple[domain.Band, ...] | list[domain.Band],
    *,
    guardrail: bool = False,
    min_sample: int = domain.DEFAULT_MIN_SAMPLE,
) -> GovernedKpi:
    """A governed KPI with these bands; `min_sample` holds for every one of them."""
    governed = GovernedKpi.objects.create(
        sla=sla, channel=channel, kpi=kpi, guardrail=guardrail, min_sample=min_sample
    )
    governed.set_bands(bands)
    return governed


def govern_template(sla: Sla, channel: str, template: str) -> GovernedKpi:
    chosen = domain.TEMPLATES[template]
    return govern(sla, channel, chosen.kpi, chosen.bands, guardrail=chosen.guardrail)


def month_snapshot(partner: Partner, channel: str, month: date, **counts: int) -> KpiSnapshot:
    """The channel total of one month, as the snapshot recomputation would store it."""
    snapshot, _ = KpiSnapshot.objects.update_or_create(
        partner=partner, channel=channel, agent=None, period_type="month", period_start=month,
        defaults=counts,
    )  # fmt: skip
    return snapshot


def volume(contract: Contract, channel: str, month: date, **values: object) -> ChannelVolume:
    return ChannelVolume.objects.create(contract=contract, channel=channel, month=month, **values)
