"""The blind rule of calibration, in one place: every page, API response, export and
notification that shows calibration scores gets them from `visible_scores`.

Before the reveal a reviewer sees their own scores and nobody sees anyone else's: not the
facilitator, not the other side, not an integration's token. After the reveal everyone who
may see the session sees every score.
"""

from __future__ import annotations

from django.db.models import QuerySet

from calibration.models import (
    CalibrationSession,
    ConsensusScore,
    Score,
    SessionReviewer,
    SessionStatus,
)
from core.scoping import Viewer, scope


def visible_scores(viewer: Viewer, session: CalibrationSession) -> QuerySet[Score]:
    scores = scope(Score, viewer).filter(item__session=session)
    if session.is_revealed:
        return scores
    if viewer.user is None:
        return scores.none()
    return scores.filter(reviewer__user=viewer.user)


def sees_everyone(session: CalibrationSession) -> bool:
    """Whether anyone's scores but one's own may be shown for this session."""
    return session.is_revealed


def visible_consensus(viewer: Viewer, session: CalibrationSession) -> QuerySet[ConsensusScore]:
    """Consensus is agreed after the reveal; before it there is none to show."""
    consensus = scope(ConsensusScore, viewer).filter(item__session=session)
    return consensus if session.is_revealed else consensus.none()


def revealed_seats(viewer: Viewer) -> QuerySet[SessionReviewer]:
    """Reviewer seats whose figures may be shown: a reviewer's agreement and bias come from
    the other side's scores, so only sessions already revealed."""
    return scope(SessionReviewer, viewer).filter(
        session__status__in=[SessionStatus.REVEALED, SessionStatus.CLOSED]
    )
