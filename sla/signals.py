"""What other apps tell SLAs: new KPI data, or a calibration session's alignment, changes
the settlements of the months it falls in, which follow it in the background."""

from __future__ import annotations

from datetime import date
from typing import Any

from core import clock
from kpis.periods import PeriodType, periods_between


def evaluate_after_import(*, partner_id: int, first: date, last: date, **_: Any) -> None:
    from kpis.snapshots import partner_zone
    from sla.models import Contract
    from sla.services import settlements_refresh

    today = clock.today(partner_zone(partner_id))  # the account's date
    months = [p.start for p in periods_between(PeriodType.MONTH, first, min(last, today))]
    if (
        not months
        or not Contract.objects.filter(
            partner_id=partner_id, start_date__lte=last, end_date__gte=months[0]
        ).exists()
    ):
        return
    settlements_refresh(partner_id=partner_id, months=months, reason="new KPI data arrived")


def evaluate_after_calibration(*, partner_id: int, day: date, **_: Any) -> None:
    """A session's agreement counts in the month it was revealed (calibration alignment)."""
    from sla.models import GovernedKpi
    from sla.services import settlements_refresh

    if GovernedKpi.objects.filter(sla__contract__partner_id=partner_id, kpi="calibration").exists():
        settlements_refresh(
            partner_id=partner_id, months=[day], reason="a calibration session's alignment changed"
        )
