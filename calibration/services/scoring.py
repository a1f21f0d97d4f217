"""Blind scoring and the reveal: each reviewer saves their own answers as they go and submits
them; the last submission (or the facilitator closing scoring) reveals every score at once
and computes the session's alignment."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from calibration.models import (
    CalibrationSession,
    Score,
    SessionItem,
    SessionReviewer,
    SessionStatus,
)
from calibration.services.alignment import alignment_update
from calibration.services.roles import require_facilitator
from calibration.services.rubrics import checked_answers
from core import clock
from core.errors import DomainError
from core.scoping import Viewer


def _reviewer(viewer: Viewer, session: CalibrationSession) -> SessionReviewer:
    reviewer = (
        session.reviewers.filter(user=viewer.user).first() if viewer.user is not None else None
    )
    if reviewer is None:
        raise DomainError("You are not a reviewer of this session.", code="not_a_reviewer")
    return reviewer


def _check_scoring_open(session: CalibrationSession) -> None:
    if session.is_revealed:
        raise DomainError("Scores are revealed: they can no longer change.", code="revealed")
    if session.status != SessionStatus.SCORING:
        raise DomainError("Scoring has not started: the session has no interactions yet.",
                          code="not_scoring")  # fmt: skip


def score_save(
    *, viewer: Viewer, session: CalibrationSession, item: SessionItem,
    values: Mapping[int, Decimal | None],
) -> int:  # fmt: skip
    """Save (some of) a reviewer's own answers on one interaction, as they go."""
    reviewer = _reviewer(viewer, session)
    _check_scoring_open(session)
    if item.session_id != session.pk:
        raise DomainError("That interaction is not part of this session.", field="item")
    answers = checked_answers(session.version, values, complete=False)
    with transaction.atomic():
        locked = CalibrationSession.objects.select_for_update().get(pk=session.pk)
        _check_scoring_open(locked)
        for pk, answer in answers.items():
            Score.objects.update_or_create(
                item=item, reviewer=reviewer, criterion_id=pk, defaults={"value": answer.value}
            )
    return len(answers)


def submit(*, viewer: Viewer, session: CalibrationSession) -> SessionReviewer:
    """A reviewer hands in their scores (every criterion of every interaction). When the
    last reviewer submits, the scores are revealed. Until then they may still change."""
    reviewer = _reviewer(viewer, session)
    _check_scoring_open(session)
    needed = session.items.count() * session.version.criteria.count()
    given = reviewer.scores.count()
    if given < needed:
        raise DomainError(
            f"{needed - given} answer(s) are missing: score every criterion of every "
            "interaction (N/A where the rubric allows it) before submitting.",
            code="incomplete",
        )
    with transaction.atomic():
        reviewer.submitted_at = clock.now()
        reviewer.save(update_fields=["submitted_at"])
        if not session.reviewers.filter(submitted_at__isnull=True).exists():
            _reveal(session, "every reviewer submitted")
    return reviewer


def close_scoring(*, viewer: Viewer, session: CalibrationSession) -> CalibrationSession:
    """The facilitator reveals now; reviewers who have not submitted are recorded missing."""
    require_facilitator(viewer, session)
    _check_scoring_open(session)
    with transaction.atomic():
        missing = session.reviewers.filter(submitted_at__isnull=True)
        names = ", ".join(str(r.user) for r in missing.select_related("user"))
        missing.update(missing=True)
        _reveal(session, f"closed by {viewer.label}" + (f"; missing: {names}" if names else ""))
    return session


def _reveal(session: CalibrationSession, reason: str) -> None:
    session.status = SessionStatus.REVEALED
    session.revealed_at = clock.now()
    session.reveal_reason = reason[:200]
    session.save(update_fields=["status", "revealed_at", "reveal_reason"])
    alignment_update(session)
