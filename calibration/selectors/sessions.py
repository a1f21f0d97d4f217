"""Reads of calibration sessions, their reviewers' own progress, and the outcome items of
their debriefs. A reviewer's scores come through `calibration.blind` only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from calibration import blind
from calibration.models import (
    CalibrationSession,
    NoActionNote,
    OutcomeItem,
    OutcomeStatus,
    RubricCriterion,
    SessionItem,
    SessionReviewer,
    SessionStatus,
)
from core.scoping import Viewer, get_scoped_or_404, scope
from partners.models import Partner

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


def session_brief(viewer: Viewer, pk: int) -> CalibrationSession:
    """One session with its partner and rubric only, for an action on it; 404 when the viewer
    may not see it."""
    return get_scoped_or_404(
        CalibrationSession.objects.select_related("partner", "version__rubric"), viewer, pk=pk
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


# Sessions a reviewer's trend spans on their home page.
REVIEWER_TREND_SESSIONS = 8


def reviewer_trend(viewer: Viewer, count: int = REVIEWER_TREND_SESSIONS) -> list[SessionReviewer]:
    """The viewer's own seats in their last `count` revealed sessions, oldest first, with
    their agreement with the other side and their bias (one query)."""
    if viewer.user is None:
        return []
    seats = (
        blind.revealed_seats(viewer)
        .filter(user=viewer.user)
        .select_related("session__partner")
        .order_by("-session__revealed_at", "-session_id")[:count]
    )
    return list(reversed(seats))


# OUTCOMES AND NOTES
# ------------------------------------------------------------------------------


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
