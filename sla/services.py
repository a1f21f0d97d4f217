"""Writing contracts, SLAs, bands, volumes and exit criteria; approving settlements; updating
remediation plans. Every page, API view and command goes through these functions, which
check the viewer's role and the rules, and raise `DomainError` with a message naming the
problem. Nothing is half-written: each function runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from core import clock
from core.errors import DomainError
from core.scoping import Viewer
from kpis.snapshots import partner_zone
from partners.models import Channel, InteractionType, Membership, Partner, Role, User
from partners.services import audit_record
from sla import domain
from sla.currency import is_currency
from sla.evaluation import evaluate_contract_month, month_of
from sla.models import (
    ChannelVolume,
    Contract,
    ExitCriterion,
    GovernedKpi,
    PlanStatus,
    PricingModel,
    RateLine,
    RemediationPlan,
    Settlement,
    SettlementStatus,
    Sla,
)
from sla.tasks import sla_evaluate_partner_task


def _require_program_manager(viewer: Viewer) -> None:
    if viewer.role != Role.PROGRAM_MANAGER or viewer.read_only:
        raise DomainError(
            "Only the buyer's program managers change contracts, SLAs and settlements.",
            code="permission_denied",
        )


def _full_clean(obj: Any, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(
            f"{field.replace('_', ' ')}: {' '.join(messages)}"
            if field != "__all__"
            else " ".join(messages),
            field=None if field == "__all__" else field,
        ) from None


# DRAFTS FOLLOW THEIR INPUTS
# ------------------------------------------------------------------------------


def settlements_refresh(
    *, partner_id: int, months: Iterable[date], reason: str, contract: Contract | None = None
) -> list[date]:
    """An input of these months changed: mark their settlements out of date now, in the
    change's transaction, and re-evaluate them in the background once it commits (the
    evaluation clears the mark). Approved months among them get a fresh pending adjustment.
    Returns the months queued."""
    today = clock.today(partner_zone(partner_id))  # the account's date
    firsts = sorted({month_of(m).start for m in months if month_of(m).start <= today})
    if not firsts:
        return []
    settlements = Settlement.objects.filter(
        partner_id=partner_id, month__in=firsts, stale_since__isnull=True
    )
    if contract is not None:
        settlements = settlements.filter(contract=contract)
    settlements.update(stale_since=clock.now(), stale_reason=reason[:200])
    queued = [m.isoformat() for m in firsts]
    transaction.on_commit(
        lambda: sla_evaluate_partner_task.delay(partner_id, queued, today.isoformat())
    )
    return firsts


def contract_open_months(contract: Contract) -> list[date]:
    """The months a change of the contract's terms (rates, caps, bands) reaches: every month
    not yet approved, from its drafts to the current month. Approved months stay as they
    were settled."""
    today = clock.today(contract.partner.account)
    first, last = contract.months
    last = min(last, month_of(today).start)
    approved = set(
        contract.settlements.filter(status=SettlementStatus.APPROVED).values_list(
            "month", flat=True
        )
    )
    drafts = set(
        contract.settlements.filter(status=SettlementStatus.DRAFT).values_list("month", flat=True)
    )
    recent = {month_of(today).previous().start, month_of(today).start}
    return sorted(m for m in drafts | recent if first <= m <= last and m not in approved)


def _contract_changed(contract: Contract, reason: str) -> None:
    settlements_refresh(
        partner_id=contract.partner_id,
        months=contract_open_months(contract),
        reason=reason,
        contract=contract,
    )


# CONTRACTS
# ------------------------------------------------------------------------------


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
    _full_clean(contract, exclude=["partner"])


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


CHANNEL_LABELS = dict(Channel.choices)


def _rate_lines(contract: Contract, rates: Sequence[RateInput]) -> list[RateLine]:
    """The rate card's lines, checked one by one and as a whole (`sla.domain`)."""
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
        if given.currency and given.currency.upper() != contract.currency:
            raise DomainError(
                f"{where} is in {given.currency.upper()}, the contract in {contract.currency}: "
                "one contract invoices in one currency.",
                field="rates",
            )
        kind = given.interaction_type
        if kind is not None and kind.account_id != contract.partner.account_id:
            raise DomainError(f"{where}: no such interaction type.", field="rates")
        hybrid = given.pricing_model == PricingModel.HYBRID
        lines.append(
            RateLine(
                contract=contract,
                channel=given.channel,
                interaction_type=kind,
                pricing_model=given.pricing_model,
                rate=given.rate,
                hybrid_base=given.hybrid_base if hybrid else "",
                resolution_bonus=(given.resolution_bonus or Decimal(0)) if hybrid else Decimal(0),
            )
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
    _require_program_manager(viewer)
    if contract.partner.account_id != viewer.account_id:
        raise DomainError("No such partner.", field="partner")
    _check_contract(contract)
    created = contract.pk is None
    if rates is None and created:
        raise DomainError(
            "Give the contract its rate card: at least one line pricing a channel.",
            field="rates",
        )
    lines = _rate_lines(contract, rates) if rates is not None else None
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
        _contract_changed(
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
    _require_program_manager(viewer)
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


# SLAS AND BANDS
# ------------------------------------------------------------------------------


def sla_save(*, viewer: Viewer, sla: Sla) -> Sla:
    _require_program_manager(viewer)
    if sla.contract.partner.account_id != viewer.account_id:
        raise DomainError("No such contract.", field="contract")
    _full_clean(sla, exclude=["contract"])
    with transaction.atomic():
        sla.save()
    return sla


@dataclass(frozen=True)
class GovernedResult:
    governed: GovernedKpi
    warnings: list[str]


def band_problems(
    kpi: str, bands: Sequence[domain.Band], *, guardrail: bool
) -> tuple[list[str], list[str]]:
    """(problems, warnings) of a band layout for a KPI: problems block saving."""
    definition = domain.governable(kpi)
    problems = domain.band_layout_problems(bands, definition)
    if guardrail:
        problems += domain.guardrail_problems(bands, definition)
    return problems, domain.band_warnings(bands, definition, guardrail=guardrail)


def governed_kpi_save(
    *,
    viewer: Viewer,
    sla: Sla,
    channel: str,
    kpi: str,
    guardrail: bool,
    bands: Sequence[domain.Band],
    min_sample: int,
    governed: GovernedKpi | None = None,
) -> GovernedResult:
    """Create or replace a governed KPI, its bands and its minimum sample (one number for
    every band), all or nothing."""
    _require_program_manager(viewer)
    if channel not in Channel.values:
        raise DomainError(f"'{channel}' is not a channel.", field="channel")
    if kpi not in domain.GOVERNABLE:
        raise DomainError(f"'{kpi}' is not a KPI an SLA can govern.", field="kpi")
    if problems := domain.min_sample_problems(min_sample):
        raise DomainError(" ".join(problems), field="min_sample")
    problems, warnings = band_problems(kpi, bands, guardrail=guardrail)
    if problems:
        raise DomainError(" ".join(problems), code="invalid_bands", field="bands")
    contract = sla.contract
    if channel not in contract.channels:
        label = CHANNEL_LABELS[channel].lower()
        raise DomainError(
            f"The rate card of {contract.name} has no {label} rate, so {label} has no invoice "
            f"for a credit or bonus to be a share of: add a {label} line to the rate card first.",
            field="channel",
        )
    clash = GovernedKpi.objects.filter(sla=sla, channel=channel, kpi=kpi)
    if governed is not None:
        clash = clash.exclude(pk=governed.pk)
    if clash.exists():
        raise DomainError(
            f"{domain.governable(kpi).label} on {channel} is already governed by this SLA.",
            field="kpi",
        )
    with transaction.atomic():
        if governed is None:
            governed = GovernedKpi.objects.create(
                sla=sla, channel=channel, kpi=kpi, guardrail=guardrail, min_sample=min_sample
            )
        else:
            governed.channel, governed.kpi, governed.guardrail = channel, kpi, guardrail
            governed.min_sample = min_sample
            governed.save()
        governed.set_bands(bands)
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="sla.bands",
            summary=f"Set the bands of {governed} in {sla}, decided from n≥{min_sample:,}"[:300],
            governed=governed.pk,
        )
        _contract_changed(sla.contract, f"the bands of {governed} changed")
    return GovernedResult(governed, warnings)


def governed_kpi_from_template(
    *, viewer: Viewer, sla: Sla, channel: str, template: str
) -> GovernedResult:
    try:
        chosen = domain.TEMPLATES[template]
    except KeyError:
        raise DomainError(f"'{template}' is not a band template.", field="template") from None
    return governed_kpi_save(
        viewer=viewer,
        sla=sla,
        channel=channel,
        kpi=chosen.kpi,
        guardrail=chosen.guardrail,
        bands=chosen.bands,
        min_sample=domain.DEFAULT_MIN_SAMPLE,
    )


def governed_kpi_delete(*, viewer: Viewer, governed: GovernedKpi) -> None:
    _require_program_manager(viewer)
    with transaction.atomic():
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="sla.kpi_removed",
            summary=f"Stopped governing {governed} in {governed.sla}"[:300],
        )
        # Its plans stay on the partner's record, closed; its band statuses go with it.
        governed.plans.filter(status=PlanStatus.OPEN).update(
            status=PlanStatus.CLOSED,
            closed_at=clock.now(),
            closed_reason="The KPI is no longer governed by the SLA.",
        )
        _contract_changed(governed.sla.contract, f"{governed} is no longer governed")
        governed.delete()


# EXIT CRITERIA
# ------------------------------------------------------------------------------


def exit_criterion_save(*, viewer: Viewer, criterion: ExitCriterion) -> ExitCriterion:
    _require_program_manager(viewer)
    if criterion.kpi not in domain.GOVERNABLE:
        raise DomainError(f"'{criterion.kpi}' is not a KPI.", field="kpi")
    _full_clean(criterion, exclude=["contract"])
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


# SETTLEMENTS
# ------------------------------------------------------------------------------


def _check_not_approved(settlement: Settlement) -> None:
    if settlement.is_approved:
        raise DomainError(
            f"{settlement} was already approved by {settlement.approved_by_label} on "
            f"{settlement.approved_at:%d %B %Y}.",
            code="already_approved",
        )


def settlement_approve(*, viewer: Viewer, settlement: Settlement, today: date) -> Settlement:
    """Freeze a month's settlement. Only complete months are approved, on their latest
    data (recomputed here first, so that what is approved is what the data says now)."""
    _require_program_manager(viewer)
    settlement.refresh_from_db()
    _check_not_approved(settlement)
    if today <= month_of(settlement.month).end:
        raise DomainError(
            f"{settlement.month:%B %Y} is not over yet: approve it once the month has ended.",
            code="month_open",
        )
    evaluate_contract_month(settlement.contract, settlement.month, today)
    with transaction.atomic():
        locked = Settlement.objects.select_for_update().get(pk=settlement.pk)
        _check_not_approved(locked)
        locked.status = SettlementStatus.APPROVED
        locked.approved_by = viewer.user
        locked.approved_by_label = viewer.label
        locked.approved_at = clock.now()
        locked.save(update_fields=["status", "approved_by", "approved_by_label", "approved_at"])
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="settlement.approved",
            summary=(
                f"Approved the settlement of {locked}: net {locked.net:,.2f} {locked.currency}"
            ),
            settlement=locked.pk,
        )
    return locked


# REMEDIATION PLANS
# ------------------------------------------------------------------------------


class _Unchanged:
    """An owner argument left out: the plan keeps its owner (None removes it)."""


UNCHANGED = _Unchanged()


def plan_update(
    *,
    viewer: Viewer,
    plan: RemediationPlan,
    actions: str | None = None,
    due_date: date | None = None,
    buyer_owner: User | None | _Unchanged = UNCHANGED,
    partner_owner: User | None | _Unchanged = UNCHANGED,
    close_reason: str | None = None,
) -> RemediationPlan:
    """Owners, due date and actions; both sides' QA leads and program managers may edit.
    An owner of None takes the owner off the plan. A program manager may close a plan by
    hand, with a reason."""
    if viewer.read_only or viewer.role not in (Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD):
        raise DomainError(
            "Program managers and partner QA leads update remediation plans.",
            code="permission_denied",
        )
    for user, side in ((buyer_owner, "buyer"), (partner_owner, "partner")):
        if not isinstance(user, User):
            continue
        membership = user.memberships.filter(account_id=viewer.account_id).first()
        if membership is None:
            raise DomainError(f"{user} is not a member of this account.", field=f"{side}_owner")
        if side == "buyer" and membership.partner_id is not None:
            raise DomainError(f"{user} works for a partner, not the buyer.", field="buyer_owner")
        if side == "partner" and membership.partner_id != plan.partner_id:
            raise DomainError(
                f"The partner owner must work for {plan.partner}.", field="partner_owner"
            )
    fields = []
    if actions is not None:
        plan.actions = actions
        fields.append("actions")
    if due_date is not None:
        plan.due_date = due_date
        fields.append("due_date")
    if not isinstance(buyer_owner, _Unchanged) and buyer_owner != plan.buyer_owner:
        plan.buyer_owner = buyer_owner
        fields.append("buyer_owner")
    if not isinstance(partner_owner, _Unchanged) and partner_owner != plan.partner_owner:
        plan.partner_owner = partner_owner
        fields.append("partner_owner")
    if close_reason:
        if viewer.role != Role.PROGRAM_MANAGER:
            raise DomainError(
                "Only program managers close plans by hand.", code="permission_denied"
            )
        if plan.status != PlanStatus.OPEN:
            raise DomainError("This plan is already closed.", code="closed")
        plan.status = PlanStatus.CLOSED
        plan.closed_at = clock.now()
        plan.closed_reason = close_reason[:300]
        fields += ["status", "closed_at", "closed_reason"]
    if not fields:
        return plan
    with transaction.atomic():
        plan.save(update_fields=fields)
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="remediation.updated",
            summary=f"Updated {plan} of {plan.partner}"[:300],
            plan=plan.pk,
        )
    return plan


def member_user(viewer: Viewer, user_id: int | None, field: str) -> User | None:
    """A member of the viewer's account, by user id (for owner pickers)."""
    if user_id is None:
        return None
    members = Membership.objects.filter(account_id=viewer.account_id, user_id=user_id)
    if viewer.is_partner_side:
        # A partner user knows the buyer's people and its own partner's, nobody else's.
        members = members.filter(Q(partner__isnull=True) | Q(partner_id=viewer.partner_id))
    membership = members.select_related("user").first()
    if membership is None:
        raise DomainError(f"User {user_id} is not a member of this account.", field=field)
    return membership.user
