"""Exit criteria: how many consecutive periods a KPI has breached a contract's exit rule,
and the notice when one is met."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from core import clock
from kpis.domain import Counts, KpiValue, total
from kpis.models import KpiSnapshot
from kpis.periods import Period, PeriodType, periods_between
from partners.models import Membership, Role
from partners.services import audit_record
from sla import domain
from sla.evaluation.inputs import calibration_alignment, kpi_value, moment
from sla.models import ExitCriterion, PlanKind, PlanStatus, RemediationPlan


def _criterion_periods(criterion: ExitCriterion, today: date) -> list[Period]:
    period_type = PeriodType(criterion.period_type)
    first = criterion.contract.start_date
    last = Period.containing(period_type, today).previous().end
    if last < first:
        return []
    return periods_between(period_type, first, last)


def exit_criterion_check(criterion: ExitCriterion, today: date) -> bool:
    """Update the criterion's progress; True when it became met now (and was notified)."""
    contract = criterion.contract
    account = contract.partner.account
    periods = _criterion_periods(criterion, today)
    snapshots = KpiSnapshot.objects.filter(
        partner_id=contract.partner_id,
        agent__isnull=True,
        period_type=criterion.period_type,
        period_start__in=[p.start for p in periods],
    )
    if criterion.channel:
        snapshots = snapshots.filter(channel=criterion.channel)
    by_period: dict[date, list[Counts]] = defaultdict(list)
    for s in snapshots:
        by_period[s.period_start].append(s.counts)
    plans = list(
        RemediationPlan.objects.filter(
            partner_id=contract.partner_id,
            opened_month__gte=contract.start_date.replace(day=1),
            kpi=criterion.kpi,
            kind=PlanKind.REMEDIATION,
            **({"channel": criterion.channel} if criterion.channel else {}),
        )
        .exclude(status=PlanStatus.WITHDRAWN)
        .values_list("opened_month", "closed_at")
    )
    kpi = domain.governable(criterion.kpi)
    rows = []
    for period in periods:
        value: KpiValue | domain.Measured | None = (
            calibration_alignment(contract.partner_id, period, account)
            if criterion.kpi == domain.CALIBRATION
            else kpi_value(criterion.kpi, total(by_period.get(period.start, [])), period)
        )
        during = any(
            opened <= period.end
            and (closed is None or clock.local_date(closed, account) >= period.start)
            for opened, closed in plans
        )
        rows.append(
            domain.ExitPeriod(
                domain.band_unit_value(kpi.unit, value.value if value else None), during
            )
        )
    rule = domain.ExitRule(
        domain.Comparison(criterion.comparison),
        criterion.threshold,
        criterion.periods,
        criterion.despite_remediation,
    )
    streak = domain.exit_streak(rule, rows)
    became_met = streak >= criterion.periods and criterion.met_on is None
    fields: dict[str, Any] = {}
    if streak != criterion.streak:
        fields["streak"] = streak
    if became_met:
        fields["met_on"] = today
    if fields:
        fields["checked_at"] = moment(today, account)
        for name, value in fields.items():
            setattr(criterion, name, value)
        criterion.save(update_fields=list(fields))
    if became_met:
        _notify_exit(criterion)
    return became_met


def _notify_exit(criterion: ExitCriterion) -> None:
    contract = criterion.contract
    partner = contract.partner
    exit_date = criterion.earliest_exit_date
    summary = (
        f"Exit criterion met for {partner}: {criterion.description}. With {contract.notice_days} "
        f"days' notice the earliest exit date is {exit_date:%d %B %Y}."
    )
    audit_record(
        account=partner.account,
        actor=None,
        action="exit_criterion.met",
        summary=summary[:300],
        criterion=criterion.pk,
    )
    emails = list(
        Membership.objects.filter(account=partner.account, role=Role.PROGRAM_MANAGER).values_list(
            "user__email", flat=True
        )
    )
    if emails:
        send_mail(
            f"Keel: exit criterion met for {partner}",
            summary,
            settings.DEFAULT_FROM_EMAIL,
            emails,
        )
    ExitCriterion.objects.filter(pk=criterion.pk).update(notified_at=clock.now())


def exit_criteria_check(*, partner_id: int, today: date) -> int:
    criteria = ExitCriterion.objects.filter(
        contract__partner_id=partner_id, contract__end_date__gte=today - timedelta(days=92)
    ).select_related("contract__partner__account")
    return sum(exit_criterion_check(c, today) for c in criteria)
