"""Celery tasks for SLAs. Thin: ids and ISO dates in, `sla.evaluation` does the work."""

from __future__ import annotations

from datetime import date

from celery import Task, shared_task

from core import clock
from kpis.snapshots import partner_zone
from partners.models import Account, Partner
from sla.evaluation import (
    exit_criteria_check,
    partner_months_evaluate,
    partner_open_months,
    partners_with_contracts,
)


@shared_task(ignore_result=True)
def sla_evaluate_partner_task(partner_id: int, months: list[str], today: str | None = None) -> int:
    """Band statuses, settlements and remediation plans of one partner for the given months
    (ISO first days), then its exit criteria, as of `today` (default: the date in the
    partner's account's time zone). Returns how many contract-months it evaluated."""
    day = date.fromisoformat(today) if today else clock.today(partner_zone(partner_id))
    outcomes = partner_months_evaluate(
        partner_id=partner_id, months=[date.fromisoformat(m) for m in months], today=day
    )
    exit_criteria_check(partner_id=partner_id, today=day)
    return len(outcomes)


@shared_task(bind=True, ignore_result=True)
def sla_evaluate_open_months_task(self: Task) -> int:
    """Nightly: one task per partner under contract, for its open months (the current and
    previous month, older drafts, anything out of date), sent to the queue this task came
    from. Today is each account's: at 03:00 UTC on 1 November it is 11:00 in Manila (October
    is over) but 23:00 on 31 October in New York."""
    queue = (self.request.delivery_info or {}).get("routing_key")
    count = 0
    zones = Account.objects.order_by("time_zone").values_list("time_zone", flat=True).distinct()
    for zone in zones:
        today = clock.today(zone)
        partner_ids = Partner.objects.filter(
            account__time_zone=zone, pk__in=partners_with_contracts(today)
        ).values_list("pk", flat=True)
        for partner_id in partner_ids:
            months = [m.isoformat() for m in partner_open_months(partner_id, today)]
            sla_evaluate_partner_task.apply_async(
                (partner_id, months, today.isoformat()), queue=queue
            )
            count += 1
    return count
