"""What the engagement's selectors share: the channels in their usual order, complete
months back from a date, and a partner's monthly channel totals."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from core.scoping import Viewer, scope
from kpis.models import KpiSnapshot
from kpis.periods import PeriodType
from partners.models import Channel, Partner
from sla.evaluation import month_of

CHANNEL_LABELS = dict(Channel.choices)
CHANNEL_ORDER = list(CHANNEL_LABELS)


def channel_key(channel: str) -> int:
    return CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else len(CHANNEL_ORDER)


def months_back(today: date, count: int) -> list[date]:
    """The first days of the `count` complete months before `today`'s, oldest first."""
    months = []
    period = month_of(today).previous()
    for _ in range(count):
        months.append(period.start)
        period = period.previous()
    return months[::-1]


def month_totals(viewer: Viewer, partner: Partner) -> QuerySet[KpiSnapshot]:
    """The partner's monthly channel totals (snapshots without an agent)."""
    return scope(KpiSnapshot, viewer).filter(
        partner=partner, agent__isnull=True, period_type=PeriodType.MONTH
    )
