"""Reading the stages of an engagement and the gate of its next expansion step: the SLA
results of the last complete months and calibration alignment."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from core.scoping import Viewer, scope
from engagements import domain
from engagements.models import EngagementStage, StageKind
from engagements.selectors.common import CHANNEL_LABELS, months_back
from kpis.periods import Period, PeriodType
from partners.models import Partner
from sla.domain import governable
from sla.evaluation import calibration_alignment
from sla.models import BandKind, BandStatus, Decision

BELOW_BASE = {BandKind.REMEDIATION, BandKind.PENALTY, BandKind.CUSTOM}


def live_channels(partner: Partner) -> set[str]:
    """The channels the engagement's pilot and expansion steps have brought into scope (none
    recorded: every channel)."""
    recorded = partner.stages.filter(kind__in=[StageKind.PILOT, StageKind.EXPANSION]).values_list(
        "channels", flat=True
    )
    return {c for channels in recorded for c in channels}


def gate_months(
    viewer: Viewer, partner: Partner, today: date, count: int, channels: set[str] | None = None
) -> list[domain.GateMonth]:
    """The last `count` complete months, newest first: at SLA when every decided governed KPI
    (of `channels`, when given) stood in base or better; None when none was decided."""
    firsts = months_back(today, count)
    statuses = scope(BandStatus, viewer).filter(
        partner=partner, month_complete=True, month__in=firsts
    )
    if channels:
        statuses = statuses.filter(channel__in=channels)
    by_month: dict[date, list[tuple[str, str, str]]] = defaultdict(list)
    for month, channel, kpi, band_kind in statuses.filter(decision=Decision.DECIDED).values_list(
        "month", "channel", "kpi", "band_kind"
    ):
        by_month[month].append((channel, kpi, band_kind))
    months = []
    for month in reversed(firsts):
        decided = sorted(by_month.get(month, []))
        below = tuple(
            f"{governable(kpi).label} {CHANNEL_LABELS.get(ch, ch).lower()}"
            for ch, kpi, kind in decided
            if kind in BELOW_BASE
        )
        months.append(domain.GateMonth(f"{month:%B %Y}", (not below) if decided else None, below))
    return months


def recent_alignment(partner: Partner, today: date, count: int) -> Decimal | None:
    """Mean calibration agreement over the sessions revealed in the last `count` complete
    months, weighted by sessions."""
    total, sessions = Decimal(0), 0
    for start in months_back(today, count):
        measured = calibration_alignment(
            partner.pk, Period(PeriodType.MONTH, start), partner.account
        )
        if measured is not None and measured.value is not None:
            total += measured.value * measured.sample
            sessions += measured.sample
    return (total / sessions).quantize(Decimal("0.0001")) if sessions else None


def gate_for(
    viewer: Viewer, partner: Partner, today: date, *, months: int, threshold_pct: Decimal
) -> domain.Gate:
    return domain.gate(
        gate_months(viewer, partner, today, months, live_channels(partner)),
        months_needed=months,
        alignment=recent_alignment(partner, today, months),
        alignment_threshold=threshold_pct / 100,
    )


def stages(viewer: Viewer, partner: Partner) -> list[EngagementStage]:
    return list(
        scope(EngagementStage, viewer)
        .filter(partner=partner)
        .prefetch_related("interaction_types")
        .order_by("started_on", "pk")
    )


def next_step(stage_list: list[EngagementStage]) -> domain.PlannedStep | None:
    return domain.next_planned(
        [
            (domain.StageKind(s.kind), domain.Expansion(s.expansion) if s.expansion else None)
            for s in stage_list
            if s.kind in {StageKind.PILOT, StageKind.EXPANSION}
        ]
    )
