"""Celery tasks for KPI data. Thin: ids and ISO dates in, services do the work."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any

from celery import shared_task

from core import clock
from kpis.importers import import_batch_file
from kpis.models import ImportBatch
from kpis.periods import PeriodType
from kpis.signals import snapshots_recomputed
from kpis.snapshots import open_periods, partner_recompute, recorded_days, snapshots_recompute
from partners.models import Partner


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_batch_run_task(batch_id: int) -> str:
    """Import an uploaded file. If the worker dies, the transaction never commits and the
    broker hands the task to another worker, which starts the batch over."""
    batch = import_batch_file(ImportBatch.objects.get(pk=batch_id))
    return batch.status


@shared_task(ignore_result=True)
def snapshots_recompute_task(partner_id: int, first: str, last: str) -> None:
    """Recompute every period type of one partner over the days first..last (ISO dates)."""
    first_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
    partner_recompute(partner_id=partner_id, first=first_day, last=last_day)
    snapshots_recomputed.send(
        sender=snapshots_recompute_task, partner_id=partner_id, first=first_day, last=last_day
    )


@shared_task(ignore_result=True)
def snapshots_recompute_period_task(
    partner_id: int, period_type: str, first: str, last: str
) -> None:
    snapshots_recompute(
        partner_id=partner_id,
        period_type=PeriodType(period_type),
        first=date.fromisoformat(first),
        last=date.fromisoformat(last),
    )


@shared_task(ignore_result=True)
def snapshots_recompute_open_periods_task() -> int:
    """Nightly: one task per partner and period type for the periods still open, which are
    those of today in the partner's account's time zone."""
    partners = Partner.objects.values_list("account__time_zone", "pk").order_by(
        "account__time_zone", "pk"
    )
    count = 0
    for zone, rows in groupby(partners, key=lambda row: row[0]):
        periods = open_periods(clock.today(zone))
        for _, partner_id in rows:
            count += 1
            for period_type, first, last in periods:
                snapshots_recompute_period_task.delay(
                    partner_id, period_type.value, first.isoformat(), last.isoformat()
                )
    return count


@shared_task(ignore_result=True)
def account_snapshots_recompute_task(account_id: int) -> int:
    """After the account's time zone changed: one recomputation per partner over every day it
    has data for, which re-evaluates the SLA months they feed (`snapshots_recomputed`)."""
    count = 0
    for partner_id in Partner.objects.filter(account_id=account_id).values_list("pk", flat=True):
        days = recorded_days(partner_id)
        if days is not None:
            snapshots_recompute_task.delay(partner_id, days[0].isoformat(), days[1].isoformat())
            count += 1
    return count


def recut_after_time_zone_change(*, account_id: int, **_: Any) -> None:
    """Receiver of `partners.signals.account_time_zone_changed` (sent on commit)."""
    account_snapshots_recompute_task.delay(account_id)


def recompute_after_import(*, partner_id: int, first: date, last: date, **_: Any) -> None:
    """`kpis.signals.rows_imported`: recompute the days an import changed, in the background."""
    snapshots_recompute_task.delay(partner_id, first.isoformat(), last.isoformat())
