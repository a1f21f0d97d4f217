"""Reads for the calibration pages. Every selector starts from `core.scoping.scope`, and
every calibration score comes through `calibration.blind` (`visible_scores`,
`visible_consensus`): before the reveal a viewer gets their own scores and nothing else.
Lists cost the same number of queries for 2 rows or 200.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from calibration import blind, domain
from calibration.models import (
    CalibrationSession,
    NoActionNote,
    OutcomeItem,
    OutcomeStatus,
    RubricCriterion,
    SessionItem,
    SessionKind,
    SessionReviewer,
    SessionStatus,
    Side,
)
from calibration.services import DISAGREEMENT_BELOW
from core import clock
from core.scoping import Viewer, get_scoped_or_404, scope
from partners.models import Partner

HUNDRED = Decimal(100)
OPEN_STATUSES = (SessionStatus.PLANNED, SessionStatus.SCORING)


def percent(share: Decimal | None) -> str:
    """0.7 → '70.0 %'; None → '–'."""
    if share is None:
        return "–"
    return f"{(share * HUNDRED).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


def signed(value: Decimal | None, places: str = "0.1") -> str:
    """37.5 → '+37.5'; None → '–'."""
    if value is None:
        return "–"
    rounded = value.quantize(Decimal(places), rounding=ROUND_HALF_UP)
    return f"+{rounded}" if rounded > 0 else f"{rounded}".replace("-", "−")


def plain(value: Decimal | None) -> str:
    """A scale value or mean as people read it: 4, 3.5, 37.25; None → '–'."""
    if value is None:
        return "–"
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:f}"


# SESSIONS
# ------------------------------------------------------------------------------


def sessions_list(
    viewer: Viewer, partner: Partner | None = None, status: str | None = None
) -> QuerySet[CalibrationSession]:
    """Sessions the viewer may see, latest due first, each with its reviewer, submission and
    interaction counts (never a score). One query per page."""
    sessions = (
        scope(CalibrationSession, viewer)
        .select_related("partner", "version__rubric")
        .annotate(
            reviewer_count=Count("reviewers", distinct=True),
            submitted_count=Count(
                "reviewers", filter=Q(reviewers__submitted_at__isnull=False), distinct=True
            ),
            item_count=Count("items", distinct=True),
        )
    )
    if partner is not None:
        sessions = sessions.filter(partner=partner)
    if status in SessionStatus.values:
        sessions = sessions.filter(status=status)
    return sessions.order_by("-due_date", "partner__name", "-pk")


def session_for(viewer: Viewer, pk: int) -> CalibrationSession:
    """One session with its rubric version and criteria, reviewers and interactions; 404 when
    the viewer may not see it."""
    return get_scoped_or_404(
        CalibrationSession.objects.select_related(
            "partner", "version__rubric", "facilitator"
        ).prefetch_related(
            Prefetch("version__criteria", queryset=RubricCriterion.objects.order_by("position")),
            Prefetch(
                "reviewers",
                queryset=SessionReviewer.objects.select_related("user").order_by("side", "pk"),
            ),
            Prefetch("items", queryset=SessionItem.objects.order_by("position")),
        ),
        viewer,
        pk=pk,
    )


def answers_needed(session: CalibrationSession) -> int:
    """Answers a reviewer gives: every criterion of every interaction (prefetched)."""
    return len(session.items.all()) * len(session.version.criteria.all())


def own_scores(
    viewer: Viewer, session: CalibrationSession
) -> dict[tuple[int, int], Decimal | None]:
    """The viewer's own answers, (item id, criterion id) → value (None: N/A), through the
    blind rule; empty for someone who is not a reviewer."""
    if viewer.user is None:
        return {}
    rows = (
        blind.visible_scores(viewer, session)
        .filter(reviewer__user=viewer.user)
        .values_list("item_id", "criterion_id", "value")
    )
    return {(item, criterion): value for item, criterion, value in rows}


def own_answer_count(viewer: Viewer, session: CalibrationSession) -> int:
    if viewer.user is None:
        return 0
    return blind.visible_scores(viewer, session).filter(reviewer__user=viewer.user).count()


def reviewer_of(viewer: Viewer, session: CalibrationSession) -> SessionReviewer | None:
    """The viewer's place among the session's reviewers (prefetched), or None."""
    if viewer.user is None:
        return None
    return next((r for r in session.reviewers.all() if r.user_id == viewer.user.pk), None)


# THE DEBRIEF
# ------------------------------------------------------------------------------

Sheet = dict[str, domain.Answer]


def visible_sheets(
    viewer: Viewer, session: CalibrationSession, criteria: Sequence[domain.Criterion]
) -> dict[int, dict[str, list[Sheet]]]:
    """Per interaction and side, the complete sheets (every criterion answered, N/A where
    allowed) built from `blind.visible_scores`: after the reveal everyone's, before it the
    viewer's own at most. Sheets left incomplete are not compared, as in the stored alignment
    (`services.side_sheets`)."""
    sheets: dict[tuple[int, int, str], Sheet] = {}
    rows = blind.visible_scores(viewer, session).values_list(
        "item_id", "reviewer_id", "reviewer__side", "criterion_id", "value"
    )
    for item_id, reviewer_id, side, criterion_id, value in rows:
        sheets.setdefault((item_id, reviewer_id, side), {})[str(criterion_id)] = domain.Answer(
            value
        )
    keys = {c.key for c in criteria}
    result: dict[int, dict[str, list[Sheet]]] = defaultdict(
        lambda: {Side.BUYER: [], Side.PARTNER: []}
    )
    for (item_id, _, side), sheet in sorted(sheets.items()):
        if keys <= sheet.keys():
            result[item_id][side].append(sheet)
    return result


def scale_text(scale: str, value: Decimal | None) -> str:
    """A value as its scale reads: Yes / No on yes / no criteria, the number otherwise."""
    if value is not None and scale == domain.Scale.YES_NO and value in (0, 1):
        return "Yes" if value == 1 else "No"
    return plain(value)


@dataclass(frozen=True)
class SideValue:
    """One side's answers on one criterion of one interaction."""

    scale: str
    values: tuple[Decimal, ...]  # the reviewers' values on the scale, N/A left out
    na: int  # how many reviewers of the side said N/A

    @property
    def mean(self) -> Decimal | None:
        return domain.mean(self.values)

    @property
    def text(self) -> str:
        if not self.values:
            return "N/A" if self.na else "–"
        if self.scale == domain.Scale.YES_NO and len(set(self.values)) > 1:
            text = f"{sum(1 for v in self.values if v == 1)} of {len(self.values)} yes"
        else:
            text = scale_text(self.scale, self.mean)
        return f"{text} (+{self.na} N/A)" if self.na else text


@dataclass(frozen=True)
class DebriefRow:
    criterion: RubricCriterion
    buyer: SideValue
    partner: SideValue
    alignment: domain.CriterionAlignment
    consensus: Decimal | None
    has_consensus: bool

    @property
    def spread(self) -> Decimal | None:
        """Highest minus lowest value across every reviewer of both sides."""
        values = self.buyer.values + self.partner.values
        return max(values) - min(values) if values else None

    @property
    def spread_text(self) -> str:
        if (self.buyer.values and not self.partner.values and self.partner.na) or (
            self.partner.values and not self.buyer.values and self.buyer.na
        ):
            return "N/A on one side"
        return plain(self.spread)

    @property
    def agreement_text(self) -> str:
        return percent(self.alignment.agreement)

    @property
    def disagrees(self) -> bool:
        agreement = self.alignment.agreement
        return agreement is not None and agreement < DISAGREEMENT_BELOW

    @property
    def consensus_text(self) -> str:
        if not self.has_consensus:
            return "–"
        if self.consensus is None:
            return "N/A"
        return scale_text(self.criterion.scale, self.consensus)


@dataclass(frozen=True)
class DebriefItem:
    item: SessionItem
    rows: list[DebriefRow]  # largest disagreement first
    alignment: domain.ItemAlignment
    buyer_sheets: int
    partner_sheets: int

    @property
    def agreement_text(self) -> str:
        return percent(self.alignment.agreement)

    @property
    def buyer_score_text(self) -> str:
        return plain(self.alignment.buyer_score)

    @property
    def partner_score_text(self) -> str:
        return plain(self.alignment.partner_score)

    @property
    def gap_text(self) -> str:
        return signed(self.alignment.gap)

    @property
    def beyond_tolerance(self) -> bool:
        return self.alignment.beyond_tolerance


def _side_value(criterion: domain.Criterion, sheets: Sequence[Sheet]) -> SideValue:
    answers = [sheet[criterion.key].value for sheet in sheets]
    return SideValue(
        criterion.scale.value,
        tuple(v for v in answers if v is not None),
        sum(v is None for v in answers),
    )


def debrief(viewer: Viewer, session: CalibrationSession) -> list[DebriefItem]:
    """After the reveal, per interaction and criterion, each side's mean next to the other's,
    the spread and the consensus; criteria and interactions ordered largest disagreement
    first (`domain.disagreements`). Before the reveal: nothing."""
    if not blind.sees_everyone(session):
        return []
    models = list(session.version.criteria.all())
    by_key = {str(c.pk): c for c in models}
    criteria = [c.spec for c in models]
    sheets = visible_sheets(viewer, session, criteria)
    consensus = {
        (item_id, criterion_id): value
        for item_id, criterion_id, value in blind.visible_consensus(viewer, session).values_list(
            "item_id", "criterion_id", "value"
        )
    }
    result = []
    for item in session.items.all():
        sides = sheets[item.pk]
        buyer, partner = sides[Side.BUYER], sides[Side.PARTNER]
        aligned = domain.align(criteria, buyer, partner)
        ordered = domain.disagreements(criteria, aligned)
        seen = {c.key for c, _ in ordered}
        # Criteria both sides called N/A compare nothing: they come last.
        ordered += [(c, row) for c, row in zip(criteria, aligned.criteria, strict=True)
                    if c.key not in seen]  # fmt: skip
        rows = [
            DebriefRow(
                criterion=by_key[c.key],
                buyer=_side_value(c, buyer),
                partner=_side_value(c, partner),
                alignment=row,
                consensus=consensus.get((item.pk, int(c.key))),
                has_consensus=(item.pk, int(c.key)) in consensus,
            )
            for c, row in ordered
        ]
        result.append(DebriefItem(item, rows, aligned, len(buyer), len(partner)))
    worst = Decimal(2)  # interactions nobody compared come last
    return sorted(
        result,
        key=lambda d: (
            d.alignment.agreement if d.alignment.agreement is not None else worst,
            d.item.position,
        ),
    )


@dataclass(frozen=True)
class AlignmentSummary:
    """The session's alignment numbers as stored at the reveal (and after each consensus)."""

    session: CalibrationSession

    @property
    def agreement(self) -> str:
        return percent(self.session.agreement)

    @property
    def bias(self) -> str:
        return signed(self.session.bias)

    @property
    def bias_side(self) -> str:
        """Which side the bias favours: a positive bias (partner minus buyer) means the
        partner's reviewers score its agents higher than the buyer's do."""
        bias = self.session.bias
        if bias is None:
            return "no interaction scored by both sides"
        if bias.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == 0:
            return "favours neither side"
        return "favours the partner side" if bias > 0 else "favours the buyer side"

    @property
    def alpha(self) -> str:
        if self.session.alpha is None:
            return "not defined"
        return f"{self.session.alpha.quantize(Decimal('0.001'), rounding=ROUND_HALF_UP)}"

    @property
    def buyer_vs_consensus(self) -> str:
        return percent(self.session.buyer_vs_consensus)

    @property
    def partner_vs_consensus(self) -> str:
        return percent(self.session.partner_vs_consensus)


def session_outcomes(viewer: Viewer, session: CalibrationSession) -> list[OutcomeItem]:
    return list(
        scope(OutcomeItem, viewer)
        .filter(session=session)
        .select_related("owner", "item", "criterion")
        .order_by("status", "due_date", "pk")
    )


def session_notes(viewer: Viewer, session: CalibrationSession) -> list[NoActionNote]:
    return list(
        scope(NoActionNote, viewer)
        .filter(item__session=session)
        .select_related("item", "criterion")
        .order_by("item__position", "criterion__position")
    )


# OUTCOMES
# ------------------------------------------------------------------------------


def outcomes_list(
    viewer: Viewer, partner: Partner | None = None, status: str | None = None
) -> QuerySet[OutcomeItem]:
    """Outcome items of the debriefs, open first then by due date. One query per page."""
    outcomes = scope(OutcomeItem, viewer).select_related(
        "session__partner", "owner", "item", "criterion"
    )
    if partner is not None:
        outcomes = outcomes.filter(session__partner=partner)
    if status in OutcomeStatus.values:
        outcomes = outcomes.filter(status=status)
    return outcomes.order_by("status", "due_date", "pk")


def outcome_for(viewer: Viewer, pk: int) -> OutcomeItem:
    return get_scoped_or_404(OutcomeItem.objects.select_related("session", "owner"), viewer, pk=pk)


# OVERVIEW
# ------------------------------------------------------------------------------


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
        return percent(self.adherence)

    @property
    def latest(self) -> CalibrationSession | None:
        return self.revealed[-1] if self.revealed else None

    @property
    def latest_agreement(self) -> str:
        return percent(self.latest.agreement) if self.latest else "–"

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
        return percent(self.session.agreement)

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


@dataclass(frozen=True)
class ToScore:
    session: CalibrationSession
    submitted: bool


def sessions_to_score(viewer: Viewer) -> list[ToScore]:
    """The viewer's own reviewer seats in sessions still being scored, soonest due first
    (one query)."""
    if viewer.user is None:
        return []
    seats = (
        scope(SessionReviewer, viewer)
        .filter(user=viewer.user, session__status=SessionStatus.SCORING)
        .select_related("session__partner")
        .order_by("session__due_date", "session_id")
    )
    return [ToScore(seat.session, seat.submitted_at is not None) for seat in seats]


def scorecard_alignment(viewer: Viewer, partner: Partner, period: object) -> dict[str, object]:
    """The channel scorecard's calibration panel (registered with `kpis.sources`): alignment
    is the partner's, whatever the channel and period."""
    return {"alignment": recent_alignment(viewer, partner)}
