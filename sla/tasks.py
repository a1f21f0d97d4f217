"""Celery tasks for SLAs. Thin: ids and ISO dates in, `sla.evaluation` does the work."""

from __future__ import annotations

from datetime import date

from celery import Task, shared_task

from outsourcing import clock
from sla.evaluation import (
    exit_criteria_check,
    partner_months_evaluate,
    partner_open_months,
    partners_with_contracts,
)


@shared_task(ignore_result=True)
def sla_evaluate_partner_task(partner_id: int, months: list[str], today: str | None = None) -> int:
    """Band statuses, settlements and remediation plans of one partner for the given months
    (ISO first days), then its exit criteria. Returns how many contract-months it evaluated."""
    day = date.fromisoformat(today) if today else clock.today()
    outcomes = partner_months_evaluate(
        partner_id=partner_id, months=[date.fromisoformat(m) for m in months], today=day
    )
    exit_criteria_check(partner_id=partner_id, today=day)
    return len(outcomes)


@shared_task(bind=True, ignore_result=True)
def sla_evaluate_open_months_task(self: Task) -> int:
    """Nightly: one task per partner under contract, for its open months (the current and
    previous month, older drafts, anything out of date), sent to the queue this task came
    from."""
    today = clock.today()
    queue = (self.request.delivery_info or {}).get("routing_key")
    partner_ids = partners_with_contracts(today)
    for partner_id in partner_ids:
        months = [m.isoformat() for m in partner_open_months(partner_id, today)]
        sla_evaluate_partner_task.apply_async((partner_id, months, today.isoformat()), queue=queue)
    return len(partner_ids)
