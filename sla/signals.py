"""New KPI data re-evaluates the SLAs of the months it touched."""

from __future__ import annotations

from datetime import date
from typing import Any

from kpis.periods import PeriodType, periods_between
from outsourcing import clock


def evaluate_after_import(*, partner_id: int, first: date, last: date, **_: Any) -> None:
    from kpis.snapshots import partner_zone
    from sla.models import Contract
    from sla.tasks import sla_evaluate_partner_task

    today = clock.today(partner_zone(partner_id))  # the account's date
    months = [p.start for p in periods_between(PeriodType.MONTH, first, min(last, today))]
    if (
        not months
        or not Contract.objects.filter(
            partner_id=partner_id, start_date__lte=last, end_date__gte=months[0]
        ).exists()
    ):
        return
    sla_evaluate_partner_task.delay(partner_id, [m.isoformat() for m in months], today.isoformat())
