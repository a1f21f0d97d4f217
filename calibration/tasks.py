"""Celery tasks for calibration. Thin: services do the work."""

from __future__ import annotations

from celery import shared_task

from calibration import services
from core import clock
from partners.models import Account, Partner


@shared_task(ignore_result=True)
def calibration_schedule_task() -> int:
    """Nightly: create the sessions each partner's cadence makes due in the next two weeks,
    and remind reviewers whose session is due within three days, counting days in each
    account's time zone. Returns sessions created."""
    created = 0
    for partner in Partner.objects.filter(go_live_date__isnull=False).select_related("account"):
        created += services.sessions_schedule(partner=partner, today=clock.today(partner.account))
    for zone in (
        Account.objects.order_by("time_zone").values_list("time_zone", flat=True).distinct()
    ):
        services.reminders_send(today=clock.today(zone), time_zone=zone)
    return created
