"""Rubrics and calibration sessions for tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from calibration import services
from calibration.models import CalibrationSession, Rubric, SessionReviewer, Side
from partners.models import Membership, Partner, User
from partners.scoping import viewer_for_membership

CRITERIA = [
    services.CriterionInput("Opening", "Greeting", Decimal(1), "yes_no"),
    services.CriterionInput("Resolution", "Accuracy", Decimal(4), "one_to_five"),
    services.CriterionInput("Resolution", "Empathy", Decimal(2), "one_to_five", na_allowed=True),
    services.CriterionInput("Compliance", "Verified identity", Decimal(3), "yes_no", critical=True),
]


def viewer_of(user: User):
    return viewer_for_membership(Membership.objects.filter(user=user).first())


def make_rubric(pm: User, name: str = "Support QA", criteria=CRITERIA) -> Rubric:
    return services.rubric_create(viewer=viewer_of(pm), name=name, channel="", criteria=criteria)


def make_session(
    pm: User, partner: Partner, rubric: Rubric, reviewers: list[tuple[User, str]],
    items: int = 2, due: date = date(2026, 11, 20),
) -> CalibrationSession:  # fmt: skip
    """A session with hand-added interactions, in blind scoring."""
    pm_viewer = viewer_of(pm)
    session = services.session_create(
        viewer=pm_viewer, partner=partner, rubric=rubric, due_date=due, reason="Quality dip",
        reviewers=[u for u, _ in reviewers],
    )  # fmt: skip
    for n in range(items):
        services.item_add(
            viewer=pm_viewer, session=session, external_id=f"T-{n + 1}",
            link=f"https://helpdesk.example/tickets/{n + 1}", channel="chat",
        )  # fmt: skip
    session.refresh_from_db()
    return session


def answers(session: CalibrationSession, *values) -> dict[int, Decimal | None]:
    """Answers in the rubric's order: None is N/A."""
    criteria = list(session.version.criteria.order_by("position"))
    return {
        c.pk: (None if v is None else Decimal(v)) for c, v in zip(criteria, values, strict=True)
    }


def reviewer(session: CalibrationSession, user: User) -> SessionReviewer:
    return session.reviewers.get(user=user)


__all__ = ["Side", "answers", "make_rubric", "make_session", "reviewer", "viewer_of"]
