"""Contracts: their terms and rate card, the volumes they bill, and their exit criteria."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import DomainError
from core.scoping import Viewer, ensure_in_scope, require_role
from partners.models import Channel, InteractionType, Partner
from partners.services import audit_record
from sla import domain
from sla.currency import is_currency
from sla.evaluation import month_of
from sla.models import (
    ChannelVolume,
    Contract,
    ExitCriterion,
    GovernedKpi,
    PricedLine,
    PricingModel,
    RateLine,
)
from sla.services.common import CHANGE_CONTRACTS, CHANNEL_LABELS, PROGRAM_MANAGERS, full_clean
from sla.services.refresh import contract_changed, settlements_refresh


def _check_contract(contract: Contract) -> None:
    contract.currency = (contract.currency or "").upper()
    if not is_currency(contract.currency):
        raise DomainError(
            f"'{contract.currency}' is not an ISO 4217 currency code (USD, EUR, GBP, ...).",
            field="currency",
        )
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        raise DomainError(
            f"The contract ends ({contract.end_date}) before it starts ({contract.start_date}).",
            field="end_date",
        )
    full_clean(contract, exclude=["partner"])


@dataclass(frozen=True)
class RateInput:
    """One line of a rate card as a person or an integration sends it."""

    channel: str
    pricing_model: str
    rate: Decimal | None
    interaction_type: InteractionType | None = None
    hybrid_base: str = ""
    resolution_bonus: Decimal | None = None
    currency: str = ""  # when given, it must be the contract's


L = TypeVar("L", bound=PricedLine)


def priced_lines(
    viewer: Viewer,
    rates: Sequence[RateInput],
    *,
    build: Callable[..., L],
    currency: str,
    currency_rule: str,
) -> list[L]:
    """Rate-card lines (a contract's, or a candidate's quote), each checked on its own: a
    channel, a pricing model, a rate, the card's currency, an interaction type of the
    viewer's account. `build(**fields)` makes the line; `currency_rule` finishes the refusal
    of another currency ("the contract in USD: one contract invoices in one currency.")."""
    lines = []
    for number, given in enumerate(rates, start=1):
        where = f"Line {number}"
        if given.channel not in Channel.values:
            raise DomainError(f"{where}: '{given.channel}' is not a channel.", field="rates")
        where += f" ({CHANNEL_LABELS[given.channel].lower()})"
        if given.pricing_model not in PricingModel.values:
            choices = ", ".join(PricingModel.values)
            raise DomainError(
                f"{where}: '{given.pricing_model}' is not a pricing model ({choices}).",
                field="rates",
            )
        if given.rate is None:
            raise DomainError(f"{where}: enter its rate.", field="rates")
        if given.currency and given.currency.upper() != currency:
            raise DomainError(
                f"{where} is in {given.currency.upper()}, {currency_rule}", field="rates"
            )
        kind = given.interaction_type
        ensure_in_scope(kind, viewer, field="rates", message=f"{where}: no such interaction type.")
        hybrid = given.pricing_model == PricingModel.HYBRID
        lines.append(
            build(
                channel=given.channel,
                interaction_type=kind,
                pricing_model=given.pricing_model,
                rate=given.rate,
                hybrid_base=given.hybrid_base if hybrid else "",
                resolution_bonus=(given.resolution_bonus or Decimal(0)) if hybrid else Decimal(0),
            )
        )
    return lines


def _rate_lines(viewer: Viewer, contract: Contract, rates: Sequence[RateInput]) -> list[RateLine]:
    """The rate card's lines, checked one by one and as a whole (`sla.domain`)."""
    lines = priced_lines(
        viewer,
        rates,
        build=lambda **fields: RateLine(contract=contract, **fields),
        currency=contract.currency,
        currency_rule=f"the contract in {contract.currency}: one contract invoices in one "
        "currency.",
    )
    governed = (
        list(
            GovernedKpi.objects.filter(sla__contract=contract)
            .values_list("channel", flat=True)
            .distinct()
        )
        if contract.pk
        else []
    )
    problems = domain.rate_card_problems(
        [line.spec for line in lines],
        channel_labels={c: label.lower() for c, label in Channel.choices},
        governed_channels=sorted(governed, key=Channel.values.index),
    )
    if problems:
        raise DomainError(" ".join(problems), code="invalid_rate_card", field="rates")
    for number, line in enumerate(lines, start=1):
        try:
            line.clean_fields(exclude=["contract", "interaction_type"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(
                f"Line {number}: {field.replace('_', ' ')}: {' '.join(messages)}", field="rates"
            ) from None
    return lines


def _month_span(first: date, last: date) -> str:
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def _check_one_contract_per_channel(contract: Contract, channels: set[str]) -> None:
    """Settlements are monthly, per contract: two contracts pricing one channel in one month
    would invoice the same contacts twice. A renewal starts the month after the previous
    contract's last month."""
    first, last = contract.months
    others = (
        Contract.objects.filter(
            partner_id=contract.partner_id,
            start_date__lt=month_of(last).next().start,
            end_date__gte=first,
        )
        .exclude(pk=contract.pk)
        .prefetch_related("rates")
        .order_by("start_date", "pk")
    )
    for other in others:
        shared = [c for c in Channel.values if c in channels and c in other.channels]
        if not shared:
            continue
        other_first, other_last = other.months
        span = _month_span(max(first, other_first), min(last, other_last))
        names = " and ".join(CHANNEL_LABELS[c].lower() for c in shared)
        raise DomainError(
            f"The contract '{other.name}' ({other.start_date:%d %b %Y} to "
            f"{other.end_date:%d %b %Y}) already prices {names} in {span}: a channel is "
            "priced by one contract in a month. Start this one in the month after the other "
            "ends, or take the channel off one of them.",
            code="overlapping_contract",
            field="start_date",
        )


def contract_save(
    *, viewer: Viewer, contract: Contract, rates: Sequence[RateInput] | None = None
) -> Contract:
    """Create or update a contract for a partner of the viewer's account, with its rate card:
    `rates` replaces the card (required for a new contract); None keeps it. All or nothing."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(contract.partner, viewer, field="partner", message="No such partner.")
    _check_contract(contract)
    created = contract.pk is None
    if rates is None and created:
        raise DomainError(
            "Give the contract its rate card: at least one line pricing a channel.",
            field="rates",
        )
    lines = _rate_lines(viewer, contract, rates) if rates is not None else None
    channels = {line.channel for line in lines} if lines is not None else set(contract.channels)
    with transaction.atomic():
        # Two saves at once must not both pass the overlap check.
        Partner.objects.select_for_update().filter(pk=contract.partner_id).exists()
        _check_one_contract_per_channel(contract, channels)
        contract.save()
        if lines is not None:
            contract.rates.all().delete()
            RateLine.objects.bulk_create(lines)
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="contract.created" if created else "contract.updated",
            summary=f"{'Created' if created else 'Updated'} contract {contract}",
            contract=contract.pk,
        )
        contract_changed(
            contract, "the contract was created" if created else "the contract's terms changed"
        )
    return contract


def volume_save(
    *,
    viewer: Viewer,
    contract: Contract,
    channel: str,
    month: date,
    hours: Decimal | None,
    fte: Decimal | None,
) -> ChannelVolume:
    """Enter a month's agent hours or FTE for one channel (replacing what was entered)."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(contract, viewer, field="contract")
    if channel not in Channel.values:
        raise DomainError(f"'{channel}' is not a channel.", field="channel")
    if month != month_of(month).start:
        raise DomainError(f"{month} is not the first day of a month.", field="month")
    if not contract.covers(month):
        raise DomainError(
            f"{month:%B %Y} is outside the contract ({contract.start_date} to "
            f"{contract.end_date}).",
            field="month",
        )
    if hours is None and fte is None:
        raise DomainError(f"{channel} {month:%B %Y}: enter agent hours or FTE.", field="hours")
    if channel not in contract.channels:
        raise DomainError(
            f"The rate card of {contract.name} has no {CHANNEL_LABELS[channel].lower()} line: "
            "its hours or FTE would bill nothing. Add the channel to the rate card first.",
            field="channel",
        )
    for name, value in (("hours", hours), ("fte", fte)):
        if value is not None and value < 0:
            raise DomainError(f"{name}: cannot be negative.", field=name)
    with transaction.atomic():
        volume, _ = ChannelVolume.objects.update_or_create(
            contract=contract,
            channel=channel,
            month=month,
            defaults={"hours": hours, "fte": fte, "updated_by": viewer.user},
        )
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="contract.volume",
            summary=f"Entered {channel} volumes for {month:%B %Y} on {contract}",
            contract=contract.pk,
        )
        settlements_refresh(
            partner_id=contract.partner_id,
            months=[month],
            reason=f"{CHANNEL_LABELS[channel].lower()} hours or FTE were entered",
            contract=contract,
        )
    return volume


@dataclass(frozen=True)
class VolumeRow:
    channel: str
    month: date
    hours: Decimal | None
    fte: Decimal | None


MAX_VOLUME_ROWS = 500


def volumes_save(*, viewer: Viewer, contract: Contract, rows: Sequence[VolumeRow]) -> int:
    """Several months' and channels' hours or FTE at once, all or nothing: the first broken
    row (numbered from 1) stops the whole batch with its reason."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(contract, viewer, field="contract")
    if not rows:
        raise DomainError("Send at least one row of volumes.", field="rows")
    if len(rows) > MAX_VOLUME_ROWS:
        raise DomainError(
            f"{len(rows):,} rows is more than {MAX_VOLUME_ROWS} in one call.", field="rows"
        )
    seen: dict[tuple[str, date], int] = {}
    for number, row in enumerate(rows, start=1):
        key = (row.channel, row.month)
        if key in seen:
            raise DomainError(
                f"Row {number}: {row.channel} {row.month:%B %Y} is already row {seen[key]}.",
                field="rows",
            )
        seen[key] = number
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            try:
                volume_save(
                    viewer=viewer, contract=contract, channel=row.channel, month=row.month,
                    hours=row.hours, fte=row.fte,
                )  # fmt: skip
            except DomainError as exc:
                raise DomainError(f"Row {number}: {exc.message}", field=exc.field) from None
    return len(rows)


def exit_criterion_save(*, viewer: Viewer, criterion: ExitCriterion) -> ExitCriterion:
    """Create or change a contract's exit criterion; a changed rule starts its count over."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(criterion.contract, viewer, field="contract")
    if criterion.kpi not in domain.GOVERNABLE:
        raise DomainError(f"'{criterion.kpi}' is not a KPI.", field="kpi")
    full_clean(criterion, exclude=["contract"])
    if criterion.pk is not None:
        rule = ("kpi", "channel", "comparison", "threshold", "period_type", "periods",
                "despite_remediation")  # fmt: skip
        before = ExitCriterion.objects.filter(pk=criterion.pk).values(*rule).first()
        if before != {name: getattr(criterion, name) for name in rule}:
            # A changed rule starts over: the nightly check measures it afresh.
            criterion.streak, criterion.met_on, criterion.notified_at = 0, None, None
    with transaction.atomic():
        criterion.save()
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="contract.exit_criterion",
            summary=f"Exit criterion on {criterion.contract}: {criterion.description}"[:300],
        )
    return criterion
