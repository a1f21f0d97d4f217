"""Remediation plans and guardrail reviews: opened once when a complete month lands in a
band that asks for one, withdrawn or flagged when corrected data no longer supports them,
closed after the SLA's months at SLA."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from core import clock
from kpis.periods import Period
from partners.models import Partner
from partners.services import audit_record
from sla import domain
from sla.evaluation.inputs import CHANNEL_LABELS, Evaluated
from sla.models import BandStatus, Contract, PlanKind, PlanStatus, RemediationPlan


def _no_work_on(plan: RemediationPlan) -> bool:
    return (
        not plan.actions.strip() and plan.buyer_owner_id is None and plan.partner_owner_id is None
    )


def review_plans(
    evaluated: list[Evaluated], partner: Partner, period: Period, now: datetime
) -> int:
    """Plans this month opened, checked against the month as the data now stands. A plan
    the data no longer supports is withdrawn, with a note, when nobody has worked on it
    yet; otherwise it is flagged for the program manager to close. Returns how many were
    withdrawn."""
    by_governed = {e.governed.pk: e for e in evaluated}
    plans = RemediationPlan.objects.filter(
        governed_id__in=list(by_governed), opened_month=period.start, status=PlanStatus.OPEN
    )
    withdrawn = 0
    for plan in plans:
        assert plan.governed_id is not None  # only plans of these governed KPIs were read
        item = by_governed[plan.governed_id]
        band = item.result.decided_band
        if band is not None and band.opens_remediation:
            if plan.unsupported_since is not None:  # supported again
                RemediationPlan.objects.filter(pk=plan.pk).update(
                    unsupported_since=None, unsupported_note=""
                )
            continue
        now_text = domain.describe(
            item.result, CHANNEL_LABELS[item.governed.channel], with_plan=False
        )
        note = (
            f"No longer supported by current data: in {period.label}, {now_text}, which asks "
            "for no plan."
        )[:300]
        if _no_work_on(plan):
            RemediationPlan.objects.filter(pk=plan.pk).update(
                status=PlanStatus.WITHDRAWN, closed_at=now, closed_reason=f"Withdrawn. {note}"[:300]
            )
            audit_record(
                account=partner.account,
                actor=None,
                action="remediation.withdrawn",
                summary=f"{plan.get_kind_display()} withdrawn for {partner}: {note}"[:300],
                plan=plan.pk,
            )
            withdrawn += 1
        elif plan.unsupported_note != note:
            RemediationPlan.objects.filter(pk=plan.pk).update(
                unsupported_since=plan.unsupported_since or now, unsupported_note=note
            )
    return withdrawn


def open_plans(evaluated: list[Evaluated], partner: Partner, month: date, now: datetime) -> int:
    opened = 0
    open_for = set(
        RemediationPlan.objects.filter(
            governed__in=[e.governed for e in evaluated], status=PlanStatus.OPEN
        ).values_list("governed_id", flat=True)
    )
    # Once per landing: a plan already opened for this month (and since closed) is not
    # opened again by the next night's run.
    opened_this_month = set(
        RemediationPlan.objects.filter(
            governed__in=[e.governed for e in evaluated], opened_month=month
        )
        .exclude(status=PlanStatus.WITHDRAWN)  # the data asks for it again: a new plan
        .values_list("governed_id", flat=True)
    )
    for item in evaluated:
        band = item.result.decided_band
        if band is None or not band.opens_remediation:
            continue
        if item.governed.pk in open_for | opened_this_month:
            continue
        kind = PlanKind.REVIEW if item.governed.guardrail else PlanKind.REMEDIATION
        reason = domain.describe(
            item.result, CHANNEL_LABELS[item.governed.channel], with_plan=False
        )[:500]
        RemediationPlan.objects.create(
            partner=partner,
            governed=item.governed,
            channel=item.governed.channel,
            kpi=item.governed.kpi,
            kind=kind,
            opened_month=month,
            opened_at=now,
            reason=reason,
            due_date=clock.local_date(now, partner.account)
            + timedelta(days=item.governed.sla.remediation_days),
        )
        audit_record(
            account=partner.account,
            actor=None,
            action="remediation.opened",
            summary=f"{kind.label} opened for {partner}: {reason}"[:300],
            partner=partner.pk,
        )
        opened += 1
    return opened


def close_plans(contract: Contract, today: date, now: datetime) -> int:
    closed = 0
    plans = list(
        RemediationPlan.objects.filter(
            governed__sla__contract=contract, status=PlanStatus.OPEN
        ).select_related("governed__sla")
    )
    if not plans:
        return 0
    # The complete months of every planned KPI since its earliest plan, in one query.
    by_governed: dict[int, list[BandStatus]] = defaultdict(list)
    for s in (
        BandStatus.objects.filter(
            governed_id__in=[p.governed_id for p in plans],
            month__gt=min(p.opened_month for p in plans),
            month_complete=True,
        )
        .select_related("band")
        .order_by("month")
    ):
        by_governed[s.governed_id].append(s)
    for plan in plans:
        assert plan.governed is not None  # open plans belong to a governed KPI
        needed = plan.governed.sla.plan_exit_periods
        statuses = [s for s in by_governed[plan.governed.pk] if s.month > plan.opened_month]
        recent: list[domain.Band | None] = [
            s.band.spec if s.band is not None and s.decision == domain.Decision.DECIDED else None
            for s in statuses
        ]
        run = 0
        for band in reversed(recent):
            if band is None or not band.at_sla:
                break
            run += 1
        fields: dict[str, Any] = {}
        if run != plan.months_at_sla:
            fields["months_at_sla"] = run
        if domain.plan_can_close(recent, needed):
            fields.update(
                status=PlanStatus.CLOSED,
                closed_at=now,
                closed_reason=f"At SLA for {needed} consecutive month{'s' if needed > 1 else ''}.",
            )
            closed += 1
        if fields:
            RemediationPlan.objects.filter(pk=plan.pk).update(**fields)
    return closed
