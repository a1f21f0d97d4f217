"""Evaluating a contract's month in one transaction, and which months each nightly run
evaluates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from core import clock
from partners.models import Partner
from sla.evaluation.diff import changed
from sla.evaluation.inputs import (
    evaluate_governed,
    governed_kpis,
    moment,
    month_counts,
    month_of,
    with_rates,
)
from sla.evaluation.plans import close_plans, open_plans, review_plans
from sla.evaluation.settlements import (
    carry_into,
    latest_data_fields,
    settle_month,
    settlement_fields,
    write_lines,
)
from sla.evaluation.statuses import sync_statuses
from sla.models import Contract, LineBasis, Settlement, SettlementStatus


@dataclass
class Outcome:
    """What one evaluation of a contract's month changed: the recompute's message and the
    command's summary say it."""

    statuses_written: int = 0
    settlement_written: bool = False
    adjustment_changed: bool = False
    plans_opened: int = 0
    plans_closed: int = 0
    plans_withdrawn: int = 0


def evaluate_contract_month(contract: Contract, month: date, today: date) -> Outcome:
    """Band statuses, settlement and remediation plans of one contract and month, written in
    one transaction."""
    period = month_of(month)
    outcome = Outcome()
    # `today` is the account's: a month is complete once its last day is over there.
    now = moment(today, contract.partner.account)
    started = clock.now()  # inputs changed after this are not in this evaluation
    complete = today > period.end
    contract = with_rates(contract)
    with transaction.atomic():
        # One evaluation per contract at a time; a concurrent one waits here.
        Contract.objects.select_for_update().filter(pk=contract.pk).exists()
        counts = month_counts(contract.partner_id, period.start)
        evaluated = evaluate_governed(governed_kpis(contract), counts, period, today)
        outcome.statuses_written = sync_statuses(contract, evaluated, period.start, complete, now)
        settlement = Settlement.objects.filter(contract=contract, month=period.start).first()
        if settlement is not None and settlement.is_approved:
            latest = settle_month(contract, evaluated, counts, period.start, Decimal(0))
            adjustment = latest.net - (settlement.net - settlement.carried)
            write_lines(settlement, LineBasis.LATEST, latest.lines if adjustment else [])
            latest_fields = latest_data_fields(latest if adjustment else None)
            if settlement.adjustment != adjustment or changed(settlement, latest_fields):
                settlement.adjustment = adjustment
                for name, value in latest_fields.items():
                    setattr(settlement, name, value)
                settlement.adjustment_computed_at = now
                settlement.save(
                    update_fields=["adjustment", *latest_fields, "adjustment_computed_at"]
                )
                outcome.adjustment_changed = True
        else:
            if settlement is None:
                settlement = Settlement(
                    contract=contract, partner_id=contract.partner_id, month=period.start
                )
                settlement.computed_at = now
                settlement.save()
                outcome.settlement_written = True
            carried = carry_into(settlement)
            result = settle_month(contract, evaluated, counts, period.start, carried)
            fields = settlement_fields(result)
            lines_changed = write_lines(settlement, LineBasis.SETTLED, result.lines)
            if changed(settlement, fields) or lines_changed:
                for name, value in fields.items():
                    setattr(settlement, name, value)
                settlement.computed_at = now
                settlement.save()
                outcome.settlement_written = True
        if complete:
            outcome.plans_withdrawn = review_plans(evaluated, contract.partner, period, now)
            outcome.plans_opened = open_plans(evaluated, contract.partner, period.start, now)
        outcome.plans_closed = close_plans(contract, today, now)
        # Current again, unless an input changed while this evaluation ran.
        Settlement.objects.filter(pk=settlement.pk, stale_since__lte=started).update(
            stale_since=None, stale_reason=""
        )
    if outcome.adjustment_changed:
        # The month that carries the adjustment shows it at once, not the next night.
        carrier = (
            Settlement.objects.filter(
                contract=contract, status=SettlementStatus.DRAFT, month__gt=period.start
            )
            .order_by("month")
            .first()
        )
        if carrier is not None:
            evaluate_contract_month(contract, carrier.month, today)
    return outcome


def contracts_for(partner_id: int, month: date) -> list[Contract]:
    period = month_of(month)
    return list(
        Contract.objects.filter(
            partner_id=partner_id, start_date__lte=period.end, end_date__gte=period.start
        ).select_related("partner__account")
    )


def partner_months_evaluate(*, partner_id: int, months: list[date], today: date) -> list[Outcome]:
    """Evaluate every contract of a partner for the given months (each its own transaction)."""
    outcomes = []
    for month in sorted({month_of(m).start for m in months}):
        if month > today:
            continue
        for contract in contracts_for(partner_id, month):
            outcomes.append(evaluate_contract_month(contract, month, today))
    return outcomes


def open_months(today: date) -> list[date]:
    """The months every nightly run evaluates: the current one and the previous one, which
    still receives late data until its settlement is approved."""
    current = month_of(today)
    return [current.previous().start, current.start]


def partner_open_months(partner_id: int, today: date) -> list[date]:
    """The months a partner's nightly run evaluates: the current and previous month, every
    earlier month whose settlement is still a draft, and any month whose figures are out of
    date (an input changed and its re-evaluation has not run yet)."""
    months = set(open_months(today))
    months |= set(
        Settlement.objects.filter(partner_id=partner_id, month__lte=today)
        .filter(Q(status=SettlementStatus.DRAFT) | Q(stale_since__isnull=False))
        .values_list("month", flat=True)
    )
    return sorted(months)


def partners_with_contracts(today: date) -> list[int]:
    """Partners with a contract running this month or last, or a month still open."""
    first = month_of(today).previous().start
    return list(
        Partner.objects.filter(
            Q(contracts__end_date__gte=first)
            | Q(settlements__status=SettlementStatus.DRAFT)
            | Q(settlements__stale_since__isnull=False)
        )
        .distinct()
        .values_list("pk", flat=True)
    )
