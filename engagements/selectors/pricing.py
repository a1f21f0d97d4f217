"""The pricing what-if: the last complete quarter priced under each pricing model, against
what the contract's rate card charged."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Sum

from core.scoping import Viewer, scope
from engagements import domain
from engagements.selectors.common import channel_key, month_totals
from engagements.selectors.scope import current_scope, forecast_total, mix_lines
from kpis.periods import Period, PeriodType
from partners.models import Channel, Partner
from sla.currency import minor_digits
from sla.domain import PricingModel, TypeVolume, Volumes, format_money, rate_card_invoice
from sla.models import ChannelVolume, RateLine, Settlement


@dataclass(frozen=True)
class WhatIfRow:
    model: PricingModel
    label: str
    rate_text: str
    amount: Decimal | None
    difference: Decimal | None
    current: bool


@dataclass(frozen=True)
class WhatIf:
    quarter: Period
    currency: str
    minor: int
    actual_cost: Decimal
    planned_cost: Decimal  # what the contract would have charged for the forecast
    actual: Volumes
    expected: Volumes
    expected_fcr_pct: Decimal
    rows: list[WhatIfRow]

    def money(self, amount: Decimal | None) -> str:
        return "—" if amount is None else format_money(amount, self.currency, self.minor)


MODEL_LABELS = {
    PricingModel.PER_HOUR: "Per agent hour",
    PricingModel.PER_FTE: "Per FTE",
    PricingModel.PER_CONTACT: "Per contact",
    PricingModel.PER_RESOLVED: "Per resolved contact",
    PricingModel.HYBRID: "Hybrid (per contact + per resolved)",
}


def _expected(
    forecast: Mapping[str, int],
    fcr_pct: Decimal,
    hours: Decimal | None,
    fte: Decimal | None,
) -> Volumes:
    """A channel's forecast volumes (contacts per type) resolved at `fcr_pct`, with the
    hours and FTE actually entered (a forecast of contacts says nothing about them)."""

    def resolved(n: int) -> int:
        return int((n * fcr_pct / 100).to_integral_value())

    by_type = {code: TypeVolume(n, resolved(n)) for code, n in forecast.items()}
    contacts = sum(forecast.values())
    return Volumes(hours=hours, fte=fte, contacts=contacts, resolved=resolved(contacts),
                   by_type=by_type)  # fmt: skip


def _sum(volumes: list[Volumes]) -> Volumes:
    def total(values: list[Decimal | None]) -> Decimal | None:
        known = [v for v in values if v is not None]
        return sum(known, Decimal(0)) if known else None

    return Volumes(
        hours=total([v.hours for v in volumes]),
        fte=total([v.fte for v in volumes]),
        contacts=sum(v.contacts for v in volumes),
        resolved=sum(v.resolved for v in volumes),
    )


def what_if(viewer: Viewer, partner: Partner, today: date) -> WhatIf | None:
    """Last complete quarter's volumes priced under each pricing model, channel by channel.

    Each channel's rate under a model is set so that it would have charged what the
    contract's rate card charges that channel for the scope's forecast at the in-house
    baseline's FCR (so the current model keeps its own rate); priced on the actual volumes,
    the difference from the invoice is what a move to that model would have changed. A
    channel the model cannot price (no hours entered for it, say) keeps its invoice."""
    quarter = Period.containing(PeriodType.QUARTER, today).previous()
    version = current_scope(viewer, partner)
    settlements = list(
        scope(Settlement, viewer)
        .filter(partner=partner, month__gte=quarter.start, month__lte=quarter.end)
        .select_related("contract")
        .prefetch_related(
            Prefetch(
                "contract__rates", queryset=RateLine.objects.select_related("interaction_type")
            )
        )
    )
    if version is None or not settlements:
        return None
    currency = settlements[0].currency
    minor = minor_digits(currency)
    invoiced: dict[str, Decimal] = defaultdict(Decimal)
    for s in settlements:
        for channel, inv in s.invoices.items():
            invoiced[channel] += Decimal(inv["amount"])
    cost = sum(invoiced.values(), Decimal(0))
    counted = {
        row["channel"]: row
        for row in month_totals(viewer, partner)
        .filter(period_start__gte=quarter.start, period_start__lte=quarter.end)
        .values("channel")
        .annotate(contacts=Sum("contacts"), resolved=Sum("fcr_yes"))
        .order_by()
    }
    entered: dict[tuple[str, date], ChannelVolume] = {
        (v.channel, v.month): v
        for v in scope(ChannelVolume, viewer).filter(
            contract__partner=partner, month__gte=quarter.start, month__lte=quarter.end
        )
    }
    baselines = [b.fcr_pct for b in version.baselines.all() if b.fcr_pct is not None]
    fcr_pct = (
        (sum(baselines, Decimal(0)) / len(baselines)).quantize(Decimal("0.1"))
        if baselines
        else Decimal(75)
    )
    # What the rate card would have charged, month by month and channel by channel, had the
    # forecast come true.
    planned: dict[str, Decimal] = defaultdict(Decimal)
    expected_months: dict[str, list[Volumes]] = defaultdict(list)
    models: set[str] = set()
    for s in settlements:
        per = domain.month_forecast(
            mix_lines(version), version.monthly_volume, forecast_total(version, s.month)
        )
        lines: dict[str, list[RateLine]] = defaultdict(list)
        for line in s.contract.rates.all():
            lines[line.channel].append(line)
            models.add(line.pricing_model)
        for channel in set(lines) | set(s.invoices):
            if channel not in lines:  # a channel whose rate left the card: as invoiced
                planned[channel] += Decimal(s.invoices[channel]["amount"])
                continue
            forecast = {code: n for (ch, code), n in per.items() if ch == channel}
            if not forecast and channel not in s.invoices:
                continue  # priced, but neither forecast nor worked this month
            entry = entered.get((channel, s.month))
            expected = _expected(
                forecast,
                fcr_pct,
                entry.hours if entry is not None else None,
                entry.fte if entry is not None else None,
            )
            expected_months[channel].append(expected)
            invoice = rate_card_invoice(
                [line.spec for line in lines[channel]], expected,
                channel_label=channel, currency=currency, minor_digits=minor,
            )  # fmt: skip
            charged = s.invoices.get(channel, {}).get("amount", "0")
            planned[channel] += Decimal(charged) if invoice.missing else invoice.amount
    channels = sorted(planned, key=channel_key)
    expected_by = {c: _sum(expected_months[c]) for c in channels if expected_months[c]}

    def actual_of(channel: str) -> Volumes:
        hours = [v for (c, _m), v in entered.items() if c == channel]
        row = counted.get(channel)
        return Volumes(
            hours=sum((v.hours for v in hours if v.hours is not None), Decimal(0))
            if any(v.hours is not None for v in hours) else None,
            fte=sum((v.fte for v in hours if v.fte is not None), Decimal(0))
            if any(v.fte is not None for v in hours) else None,
            contacts=(row["contacts"] or 0) if row is not None else 0,
            resolved=(row["resolved"] or 0) if row is not None else 0,
        )  # fmt: skip

    actual_by = {c: actual_of(c) for c in channels}
    labels = dict(Channel.choices)
    rows = []
    for model in domain.WHAT_IF_MODELS:
        amount = Decimal(0)
        rates: list[str] = []
        kept: list[str] = []
        for channel in channels:
            pricing = (
                domain.equivalent_pricing(model, planned[channel], expected_by[channel])
                if channel in expected_by
                else None
            )
            priced = (
                domain.price(pricing, actual_by[channel], currency=currency, minor_digits=minor)
                if pricing
                else None
            )
            label = labels.get(channel, channel).lower()
            if pricing is None or priced is None:
                amount += invoiced[channel]
                kept.append(label)
                continue
            amount += priced
            if model is PricingModel.HYBRID:
                rates.append(
                    f"{label} {format_money(pricing.rate, currency, 4)}/contact + "
                    f"{format_money(pricing.resolution_bonus, currency, 4)}/resolved"
                )
            else:
                rates.append(f"{label} {format_money(pricing.rate, currency, 4)}")
        if not rates:
            rows.append(
                WhatIfRow(model, MODEL_LABELS[model], "no volume to price on", None, None,
                          model.value in models)
            )  # fmt: skip
            continue
        rate_text = "; ".join(rates)
        if kept:
            rate_text += f" ({', '.join(kept)} at the contract's rates: nothing to price on)"
        rows.append(
            WhatIfRow(
                model, MODEL_LABELS[model], rate_text, amount, amount - cost,
                model.value in models,
            )
        )  # fmt: skip
    return WhatIf(
        quarter,
        currency,
        minor,
        cost,
        sum(planned.values(), Decimal(0)),
        _sum(list(actual_by.values())),
        _sum(list(expected_by.values())),
        fcr_pct,
        rows,
    )
