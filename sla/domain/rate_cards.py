"""Rate cards and invoices: how a contract prices each channel (per hour, per FTE, per
contact, per resolved contact, a monthly fee, or a hybrid), whether a card is sound, and a
channel's monthly invoice under its lines (docs/sla.md, "Rate cards")."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from sla.domain.numbers import HUNDRED, ZERO, format_money, round_money


class PricingModel(StrEnum):
    PER_HOUR = "per_hour"
    PER_FTE = "per_fte"
    PER_CONTACT = "per_contact"
    PER_RESOLVED = "per_resolved"
    OUTCOME = "outcome"  # a monthly fee per channel, earned through the bands
    HYBRID = "hybrid"  # a base (hours, FTE or contacts) plus a bonus per resolved contact


HYBRID_BASES = (PricingModel.PER_HOUR, PricingModel.PER_FTE, PricingModel.PER_CONTACT)


@dataclass(frozen=True)
class Pricing:
    model: PricingModel
    rate: Decimal  # per hour, per FTE-month, per contact, per resolved contact, or the fee
    hybrid_base: PricingModel | None = None
    resolution_bonus: Decimal = ZERO  # hybrid: per resolved contact

    @property
    def base_model(self) -> PricingModel:
        """What the base charge counts: the model itself, or a hybrid's base."""
        if self.model is not PricingModel.HYBRID:
            return self.model
        if self.hybrid_base is None or self.hybrid_base is PricingModel.HYBRID:
            raise ValueError("A hybrid price needs a base: per hour, per FTE or per contact.")
        return self.hybrid_base

    @property
    def counts_contacts(self) -> bool:
        """Whether it bills on contacts, which can be told apart by interaction type (agent
        hours, FTE and a monthly fee cannot)."""
        return self.base_model in (PricingModel.PER_CONTACT, PricingModel.PER_RESOLVED)


@dataclass(frozen=True)
class TypeVolume:
    """The contacts of one interaction type on one channel in one month."""

    contacts: int = 0
    resolved: int = 0


@dataclass(frozen=True)
class Volumes:
    """One channel's volumes in one month. Hours and FTE are entered or uploaded; contacts
    and resolved contacts (first-contact resolutions) come from KPI data, and `by_type`
    splits the contacts that came as rows by interaction type (aggregate reports carry no
    type: their contacts count only in the channel's totals)."""

    hours: Decimal | None = None
    fte: Decimal | None = None
    contacts: int = 0
    resolved: int = 0
    by_type: Mapping[str, TypeVolume] = field(default_factory=dict)


@dataclass(frozen=True)
class RateLine:
    """One line of a contract's rate card: how one channel is priced, or one interaction
    type on it. A channel's line without a type prices every contact that no line of its
    own type prices (docs/sla.md, "Rate cards")."""

    channel: str
    pricing: Pricing
    interaction_type: str = ""  # the type's code; empty: the channel's rate
    type_label: str = ""


@dataclass(frozen=True)
class InvoicePart:
    """What one rate line charged, and what it counted to get there."""

    text: str  # "10,000 chat contacts × 3.00 USD = 30,000.00 USD"
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    amount: Decimal
    explanation: str
    missing: str = ""  # the volume that was not entered, when the amount could not be computed
    parts: tuple[InvoicePart, ...] = ()


def _quantity(value: Decimal) -> str:
    """1,200 or 1,200.5: grouped, without trailing zeros."""
    return format(value.normalize(), ",f")


def _charge(
    pricing: Pricing, volumes: Volumes, subject: str, money: Callable[[Decimal], str]
) -> tuple[Decimal | None, str, str]:
    """(amount, what was counted, missing volume) of one price on some volumes; `subject`
    names what is counted ("chat", "chat complaint"), or nothing."""
    model = pricing.base_model
    rate = money(pricing.rate)
    of = f"{subject} " if subject else ""
    amount: Decimal
    if model is PricingModel.PER_HOUR:
        if volumes.hours is None:
            return None, "", "agent hours"
        amount, text = (
            volumes.hours * pricing.rate,
            f"{_quantity(volumes.hours)} {of}agent hours",
        )
    elif model is PricingModel.PER_FTE:
        if volumes.fte is None:
            return None, "", "FTE"
        amount, text = volumes.fte * pricing.rate, f"{_quantity(volumes.fte)} {of}FTE"
    elif model is PricingModel.PER_CONTACT:
        amount, text = volumes.contacts * pricing.rate, f"{volumes.contacts:,} {of}contacts"
    elif model is PricingModel.PER_RESOLVED:
        amount = volumes.resolved * pricing.rate
        text = f"{volumes.resolved:,} resolved {of}contacts"
    elif model is PricingModel.OUTCOME:
        return pricing.rate, f"{of}monthly fee {rate}", ""
    else:
        raise ValueError(f"{model} is not a base charge.")
    text += f" × {rate}"
    if pricing.model is PricingModel.HYBRID and pricing.resolution_bonus:
        amount += volumes.resolved * pricing.resolution_bonus
        text += f" + {volumes.resolved:,} resolved × {money(pricing.resolution_bonus)}"
    return amount, text, ""


def channel_invoice(
    pricing: Pricing, volumes: Volumes, *, currency: str, minor_digits: int
) -> Invoice:
    """A channel's monthly invoice under one price and the month's volumes."""

    def money(amount: Decimal) -> str:
        return format_money(amount, currency, minor_digits)

    amount, text, missing = _charge(pricing, volumes, "", money)
    if amount is None:
        return Invoice(ZERO, f"{missing} not entered for this month", missing)
    rounded = round_money(amount, minor_digits)
    return Invoice(rounded, text, parts=(InvoicePart(f"{text} = {money(rounded)}", rounded),))


def rate_card_invoice(
    lines: Sequence[RateLine],
    volumes: Volumes,
    *,
    channel_label: str,
    currency: str,
    minor_digits: int,
) -> Invoice:
    """One channel's monthly invoice under its rate-card lines: the sum of what each line
    charged, each rounded once. Lines for an interaction type price that type's contacts;
    the channel's line without a type prices the rest ("other chat contacts")."""

    def money(amount: Decimal) -> str:
        return format_money(amount, currency, minor_digits)

    if not lines:
        raise ValueError(f"No rate for {channel_label}.")
    channel = channel_label.lower()
    typed = [line for line in lines if line.interaction_type]
    general = [line for line in lines if not line.interaction_type]
    if len(general) > 1:
        raise ValueError(f"{channel_label} has {len(general)} rates for the same contacts.")
    priced: list[tuple[RateLine, Volumes, str]] = []
    for line in typed:
        here = volumes.by_type.get(line.interaction_type, TypeVolume())
        subject = f"{channel} {(line.type_label or line.interaction_type).lower()}"
        priced.append((line, Volumes(contacts=here.contacts, resolved=here.resolved), subject))
    if general:
        taken_contacts = sum(
            volumes.by_type.get(t.interaction_type, TypeVolume()).contacts for t in typed
        )
        taken_resolved = sum(
            volumes.by_type.get(t.interaction_type, TypeVolume()).resolved for t in typed
        )
        rest = Volumes(
            hours=volumes.hours,
            fte=volumes.fte,
            contacts=volumes.contacts - taken_contacts,
            resolved=volumes.resolved - taken_resolved,
        )
        priced.append((general[0], rest, f"other {channel}" if typed else channel))
    parts = []
    for line, counted, subject in priced:
        amount, text, missing = _charge(line.pricing, counted, subject, money)
        if amount is None:
            return Invoice(ZERO, f"{channel} {missing} not entered for this month", missing)
        rounded = round_money(amount, minor_digits)
        parts.append(InvoicePart(f"{text} = {money(rounded)}", rounded))
    total = sum((part.amount for part in parts), ZERO)
    return Invoice(total, " + ".join(part.text for part in parts), parts=tuple(parts))


_PRICED = {
    PricingModel.PER_HOUR: "per agent hour",
    PricingModel.PER_FTE: "per FTE",
    PricingModel.OUTCOME: "as a monthly fee",
    PricingModel.PER_CONTACT: "per contact",
    PricingModel.PER_RESOLVED: "per resolved contact",
}


def _is_sound(pricing: Pricing) -> bool:
    return pricing.model is not PricingModel.HYBRID or pricing.hybrid_base in HYBRID_BASES


def rate_label(line: RateLine, channel_label: str) -> str:
    """'chat' or 'chat complaints', as a line is named in messages."""
    return f"{channel_label} {line.type_label or line.interaction_type}".strip()


def rate_card_problems(
    lines: Sequence[RateLine],
    *,
    channel_labels: Mapping[str, str],
    governed_channels: Sequence[str] = (),
) -> list[str]:
    """Every reason a rate card cannot be used, in words; empty when it is sound.

    A sound card prices each channel it names once (one line without a type), each
    interaction type on a channel at most once, only with rates that are not negative,
    splits by type only what can be split (contacts: a channel with typed lines prices all
    its lines on contacts), and prices every channel an SLA governs, so every credit and
    bonus has an invoice to be a share of.
    """
    problems: list[str] = []
    if not lines:
        return ["Add at least one rate line: a contract prices each channel it covers."]
    seen: dict[tuple[str, str], int] = {}
    for number, line in enumerate(lines, start=1):
        label = channel_labels.get(line.channel, line.channel)
        name = f"Line {number} ({rate_label(line, label)})"
        key = (line.channel, line.interaction_type)
        if key in seen:
            problems.append(
                f"{name} prices the same contacts as line {seen[key]}: one line per channel "
                "and interaction type."
            )
        seen.setdefault(key, number)
        pricing = line.pricing
        if pricing.rate < 0 or pricing.resolution_bonus < 0:
            problems.append(f"{name}: a rate cannot be negative.")
        if not _is_sound(pricing):
            problems.append(
                f"{name}: a hybrid price needs a base: per agent hour, per FTE or per contact."
            )
            continue
        if line.interaction_type and not pricing.counts_contacts:
            problems.append(
                f"{name}: agent hours, FTE and monthly fees cannot be split by interaction "
                "type; price a type per contact or per resolved contact."
            )
    by_channel: dict[str, list[RateLine]] = {}
    for line in lines:
        by_channel.setdefault(line.channel, []).append(line)
    for channel, here in by_channel.items():
        label = channel_labels.get(channel, channel)
        typed = [line for line in here if line.interaction_type]
        general = [line for line in here if not line.interaction_type]
        if typed and not general:
            problems.append(
                f"{label} prices {', '.join(rate_label(t, '') for t in typed)} on lines of "
                f"their own: add a {label} line without an interaction type for every other "
                "contact."
            )
        elif typed and _is_sound(general[0].pricing) and not general[0].pricing.counts_contacts:
            problems.append(
                f"{label} is priced {_PRICED[general[0].pricing.base_model]}, which pays for "
                "all its work whatever the type: price it per contact or per resolved contact "
                "to give some interaction types lines of their own."
            )
    for channel in governed_channels:
        if channel not in by_channel:
            label = channel_labels.get(channel, channel)
            problems.append(
                f"An SLA of this contract governs {label}, but the rate card has no {label} "
                f"rate: add a {label} line (credits and bonuses are shares of its invoice)."
            )
    return problems


def loaded_rate(headline: Decimal, components_pct: Mapping[str, Decimal]) -> Decimal:
    """The headline rate with the loaded-cost components (WFM, QA, team leads, ...) on top."""
    return headline * (1 + sum(components_pct.values(), ZERO) / HUNDRED)
