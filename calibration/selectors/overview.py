"""Calibration per partner: cadence adherence, the alignment of revealed sessions over time,
open outcome items and the sessions to come; and the alignment panel of a scorecard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from calibration import domain
from calibration.models import (
    CalibrationSession,
    OutcomeItem,
    OutcomeStatus,
    SessionKind,
    SessionStatus,
)
from calibration.selectors.text import signed
from core import clock
from core.formatting import percent_text
from core.scoping import Viewer, scope
from partners.models import Partner

OPEN_STATUSES = (SessionStatus.PLANNED, SessionStatus.SCORING)


@dataclass
class PartnerOverview:
    partner: Partner
    where: clock.Zone = None  # the account's time zone: the day a session was revealed there
    due: list[CalibrationSession] = field(default_factory=list)  # cadence, due by today
    revealed: list[CalibrationSession] = field(default_factory=list)  # oldest first
    upcoming: list[CalibrationSession] = field(default_factory=list)  # not revealed yet
    open_outcomes: int = 0
    overdue_outcomes: int = 0

    @property
    def held(self) -> int:
        return sum(1 for s in self.due if s.revealed_at is not None)

    @property
    def adherence(self) -> Decimal | None:
        """Cadence sessions held on time (revealed within the grace days) / due."""
        return domain.adherence(
            [s.due_date for s in self.due],
            [
                clock.local_date(s.revealed_at, self.where) if s.revealed_at else None
                for s in self.due
            ],
        )

    @property
    def adherence_text(self) -> str:
        return percent_text(self.adherence)

    @property
    def latest(self) -> CalibrationSession | None:
        return self.revealed[-1] if self.revealed else None

    @property
    def latest_agreement(self) -> str:
        return percent_text(self.latest.agreement) if self.latest else "–"

    @property
    def latest_bias(self) -> str:
        return signed(self.latest.bias) if self.latest else "–"


def overview(viewer: Viewer, today: date | None = None) -> list[PartnerOverview]:
    """Per partner the viewer may see: cadence sessions held against due, the revealed
    sessions' alignment over time, open outcome items and sessions to come. Three queries
    whatever the number of partners and sessions."""
    today = today or clock.today(viewer.account)
    zone = clock.zone(viewer.account)
    rows = {p.pk: PartnerOverview(p, zone) for p in scope(Partner, viewer).order_by("name")}
    sessions = (
        scope(CalibrationSession, viewer)
        .only(
            "pk",
            "partner_id",
            "kind",
            "status",
            "due_date",
            "revealed_at",
            "agreement",
            "bias",
            "reason",
        )  # fmt: skip
        .order_by("due_date", "pk")
    )
    for session in sessions:
        row = rows.get(session.partner_id)
        if row is None:
            continue
        if session.kind == SessionKind.CADENCE and session.due_date <= today:
            row.due.append(session)
        if session.is_revealed and session.revealed_at is not None:
            row.revealed.append(session)
        elif session.status in OPEN_STATUSES:
            row.upcoming.append(session)
    counts = (
        scope(OutcomeItem, viewer)
        .filter(status=OutcomeStatus.OPEN)
        .values("session__partner_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
        .order_by()
    )
    for count in counts:
        row = rows.get(count["session__partner_id"])
        if row is not None:
            row.open_outcomes, row.overdue_outcomes = count["open"], count["overdue"]
    return list(rows.values())


@dataclass(frozen=True)
class AlignmentPoint:
    session: CalibrationSession

    @property
    def agreement_text(self) -> str:
        return percent_text(self.session.agreement)

    @property
    def bias_text(self) -> str:
        return signed(self.session.bias)


def recent_alignment(viewer: Viewer, partner: Partner, count: int = 6) -> list[AlignmentPoint]:
    """The partner's last revealed sessions, newest first: the calibration-alignment KPI as
    scorecards show it (one query)."""
    sessions = (
        scope(CalibrationSession, viewer)
        .filter(partner=partner, revealed_at__isnull=False, agreement__isnull=False)
        .order_by("-revealed_at")[:count]
    )
    return [AlignmentPoint(s) for s in sessions]


def scorecard_alignment(viewer: Viewer, partner: Partner, period: object) -> dict[str, object]:
    """The channel scorecard's calibration panel (registered with `kpis.sources`): alignment
    is the partner's, whatever the channel and period."""
    return {"alignment": recent_alignment(viewer, partner)}
