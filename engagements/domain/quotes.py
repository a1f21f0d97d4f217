"""Quotes: a candidate's rate card priced on the scope's month, channel by channel, and
its lines ranked against the other candidates' like for like. docs/domain.md, "Pricing
models"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from engagements.domain.common import ONE
from engagements.domain.costs import loaded_cost
from engagements.domain.scope import MixLine, month_forecast
from engagements.domain.selection import Assumptions, projected_volumes
from sla.domain import (
    HUNDRED,
    ZERO,
    Invoice,
    PricingModel,
    RateLine,
    TypeVolume,
    Volumes,
    loaded_rate,
    rate_card_invoice,
)


@dataclass(frozen=True)
class Quote:
    """A candidate's quote: a rate card like a contract's (one line per channel, optionally
    one per interaction type, each with its own pricing model and rate; `sla.domain`'s
    rules), and the loaded-cost components the buyer pays on top of every headline rate."""

    lines: tuple[RateLine, ...]
    components_pct: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def loaded_pct(self) -> Decimal:
        return sum(self.components_pct.values(), ZERO)

    def loaded(self, rate: Decimal) -> Decimal:
        """A headline rate (or a hybrid's bonus) with the loaded-cost components on top."""
        return loaded_rate(rate, self.components_pct)

    def channel_lines(self, channel: str) -> list[RateLine]:
        return [line for line in self.lines if line.channel == channel]


def forecast_volumes(
    forecast: Mapping[tuple[str, str], int], assumptions: Assumptions
) -> dict[str, Volumes]:
    """A scope's month per channel, as the volumes a rate card prices: each channel's
    contacts per interaction type from the forecast; its hours, FTE and resolved contacts
    from the selection's assumptions applied to the channel's volume (`projected_volumes`);
    each type's resolved contacts its share of the channel's, by largest remainder so that
    they add up. Channels follow the forecast's order; one forecast at zero is left out
    (the scope does not need it)."""
    by_channel: dict[str, dict[str, int]] = {}
    for (channel, code), contacts in forecast.items():
        types = by_channel.setdefault(channel, {})
        types[code] = types.get(code, 0) + contacts
    result = {}
    for channel, types in by_channel.items():
        contacts = sum(types.values())
        if contacts <= 0:
            continue
        volumes = projected_volumes(contacts, assumptions)
        resolved = month_forecast(
            [MixLine(channel, code, n) for code, n in types.items()], contacts, volumes.resolved
        )
        by_type = {code: TypeVolume(n, resolved[(channel, code)]) for code, n in types.items()}
        result[channel] = Volumes(
            volumes.hours, volumes.fte, volumes.contacts, volumes.resolved, by_type
        )
    return result


def total_volumes(channels: Iterable[Volumes]) -> Volumes:
    """Several channels' volumes added up (without their split by type)."""
    parts = list(channels)
    return Volumes(
        hours=sum((v.hours or ZERO for v in parts), ZERO),
        fte=sum((v.fte or ZERO for v in parts), ZERO),
        contacts=sum(v.contacts for v in parts),
        resolved=sum(v.resolved for v in parts),
    )


@dataclass(frozen=True)
class ChannelCost:
    """One channel of the scope priced with a quote's lines for it; `invoice` is None when
    the quote has no line for the channel: not quoted, never 0."""

    channel: str
    volumes: Volumes
    invoice: Invoice | None
    loaded: Decimal | None

    @property
    def quoted(self) -> bool:
        return self.invoice is not None

    @property
    def headline(self) -> Decimal | None:
        return self.invoice.amount if self.invoice is not None else None


@dataclass(frozen=True)
class Projection:
    """A quote applied to the scope's month, channel by channel: the headline and loaded
    monthly cost, and the loaded cost per resolved contact. Totals add the quoted channels
    only; `complete` says whether every channel the scope needs is quoted, and the cost per
    resolved contact divides by the resolved contacts of the quoted channels."""

    channels: tuple[ChannelCost, ...]

    @property
    def volumes(self) -> Volumes:
        """The scope's month over every channel it needs."""
        return total_volumes(c.volumes for c in self.channels)

    @property
    def not_quoted(self) -> tuple[str, ...]:
        return tuple(c.channel for c in self.channels if not c.quoted)

    @property
    def complete(self) -> bool:
        return bool(self.channels) and not self.not_quoted

    @property
    def headline_cost(self) -> Decimal:
        return sum((c.headline for c in self.channels if c.headline is not None), ZERO)

    @property
    def loaded_cost(self) -> Decimal:
        return sum((c.loaded for c in self.channels if c.loaded is not None), ZERO)

    @property
    def resolved(self) -> int:
        """Resolved contacts of the quoted channels."""
        return sum(c.volumes.resolved for c in self.channels if c.quoted)

    @property
    def cost_per_resolved(self) -> Decimal | None:
        if self.resolved <= 0:
            return None
        return (self.loaded_cost / self.resolved).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def project_quote(
    quote: Quote,
    forecast: Mapping[str, Volumes],
    *,
    channel_labels: Mapping[str, str],
    currency: str,
    minor_digits: int,
) -> Projection:
    """Each channel of the scope's month (`forecast_volumes`) priced with the quote's lines
    for it (`rate_card_invoice`: the sum of what each line counted, each rounded once), and
    loaded with the quote's components, rounded once per channel. A channel the quote has
    no line for is not quoted. Lines for channels the scope does not need price nothing."""
    costs = []
    for channel, volumes in forecast.items():
        lines = quote.channel_lines(channel)
        if not lines:
            costs.append(ChannelCost(channel, volumes, None, None))
            continue
        invoice = rate_card_invoice(
            lines,
            volumes,
            channel_label=channel_labels.get(channel, channel),
            currency=currency,
            minor_digits=minor_digits,
        )
        loaded = loaded_cost(invoice.amount, quote.loaded_pct, minor_digits)
        costs.append(ChannelCost(channel, volumes, invoice, loaded))
    return Projection(tuple(costs))


def like_for_like(line: RateLine) -> tuple[str, str, str, str]:
    """What two quotes' lines must share to compare their rates: the channel, the
    interaction type (or none: the channel's own line), the pricing model and, for a
    hybrid, its base."""
    pricing = line.pricing
    base = pricing.hybrid_base.value if pricing.hybrid_base else ""
    return (line.channel, line.interaction_type, pricing.model.value, base)


@dataclass(frozen=True)
class LineRank:
    """One quote line against the other candidates' lines on the same channel, interaction
    type and pricing model (its peers, itself included)."""

    peers: int
    above_cheapest: Decimal | None = None  # % above the cheapest loaded rate; None: alone
    headline_rank: int | None = None  # 1: the cheapest headline rate
    # Peers quoting a dearer headline whose loaded rate is cheaper: this "cheaper" headline
    # is not.
    dearer_loaded_than: tuple[str, ...] = ()


def rank_lines(quotes: Mapping[str, Quote]) -> dict[str, tuple[LineRank, ...]]:
    """Each candidate's lines (in the order of its quote) ranked against its peers'. A hybrid
    line has two rates (a base and a bonus per resolved contact): it is not ranked on one of
    them, and compares on the projected cost instead."""
    peers: dict[tuple[str, str, str, str], list[tuple[str, Decimal, Decimal]]] = {}
    for name, quote in quotes.items():
        for line in quote.lines:
            rate = line.pricing.rate
            peers.setdefault(like_for_like(line), []).append((name, rate, quote.loaded(rate)))
    ranked: dict[str, tuple[LineRank, ...]] = {}
    for name, quote in quotes.items():
        ranks = []
        for line in quote.lines:
            group = peers[like_for_like(line)]
            if len(group) < 2 or line.pricing.model is PricingModel.HYBRID:
                ranks.append(LineRank(len(group)))
                continue
            headline, loaded = line.pricing.rate, quote.loaded(line.pricing.rate)
            headlines = sorted({h for _n, h, _l in group})
            ranks.append(
                LineRank(
                    len(group),
                    overhead_above(loaded, min(cost for _n, _h, cost in group)),
                    headlines.index(headline) + 1,
                    tuple(
                        other
                        for other, rate, cost in sorted(group)
                        if other != name and rate > headline and cost < loaded
                    ),
                )
            )
        ranked[name] = tuple(ranks)
    return ranked


def overhead_above(this: Decimal, cheapest: Decimal) -> Decimal | None:
    """How much more `this` costs than `cheapest`, as a percentage to 0.1."""
    if cheapest <= 0:
        return None
    return ((this / cheapest - ONE) * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
