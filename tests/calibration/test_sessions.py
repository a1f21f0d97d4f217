"""A calibration session from planning to closing, through the services: blind scoring,
the reveal, alignment, consensus, outcomes; and every refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from calibration import blind, services
from calibration.models import OutcomeItem, Score, SessionStatus
from core.errors import DomainError
from tests.factories.calibration import answers, make_rubric, make_session, viewer_of

D = Decimal


@pytest.fixture
def session(world, buyer_pm, buyer_reviewer, partner_lead):
    rubric = make_rubric(buyer_pm)
    return make_session(buyer_pm, world.harbor, rubric, [(buyer_reviewer, "buyer"),
                                                         (partner_lead, "partner")])  # fmt: skip


def score_all(session, user, first, second):
    viewer = viewer_of(user)
    items = list(session.items.order_by("position"))
    services.score_save(
        viewer=viewer, session=session, item=items[0], values=answers(session, *first)
    )
    services.score_save(
        viewer=viewer, session=session, item=items[1], values=answers(session, *second)
    )


def test_a_full_session(session, buyer_pm, buyer_reviewer, partner_lead):
    assert session.status == SessionStatus.SCORING
    # Blind: each reviewer sees only their own scores, the facilitator none.
    score_all(session, buyer_reviewer, (1, 4, 3, 1), (0, 2, 4, 0))
    assert blind.visible_scores(viewer_of(partner_lead), session).count() == 0
    assert blind.visible_scores(viewer_of(buyer_pm), session).count() == 0
    assert blind.visible_scores(viewer_of(buyer_reviewer), session).count() == 8
    services.submit(viewer=viewer_of(buyer_reviewer), session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCORING
    score_all(session, partner_lead, (1, 5, None, 1), (0, 2, 4, 1))
    services.submit(viewer=viewer_of(partner_lead), session=session)
    session.refresh_from_db()
    # The last submission reveals; the hand-computed alignment of tests/calibration/test_domain.
    assert session.status == SessionStatus.REVEALED
    assert session.reveal_reason == "every reviewer submitted"
    assert session.agreement == D("0.7")
    assert session.bias == D("37.5")
    assert session.beyond_tolerance == 2
    assert blind.visible_scores(viewer_of(partner_lead), session).count() == 16
    # After the reveal nothing changes a score.
    with pytest.raises(DomainError, match="can no longer change"):
        score_all(session, partner_lead, (1, 1, 1, 1), (1, 1, 1, 1))
    # Debrief: consensus, then each disagreement gets an outcome or a note before closing.
    pm = viewer_of(buyer_pm)
    first, second = session.items.order_by("position")
    services.consensus_save(
        viewer=pm, session=session, item=first, values=answers(session, 1, 4, 3, 1)
    )
    services.consensus_save(
        viewer=pm, session=session, item=second, values=answers(session, 0, 2, 4, 1)
    )
    session.refresh_from_db()
    assert session.buyer_vs_consensus is not None
    pending = services.open_disagreements(session)
    assert [(d.item.external_id, d.criterion.name) for d in pending] == [
        ("T-1", "Empathy"), ("T-2", "Verified identity"),
    ]  # fmt: skip
    with pytest.raises(DomainError, match="2 disagreement"):
        services.session_close(viewer=pm, session=session)
    services.outcome_add(
        viewer=pm, session=session, kind="policy", owner=buyer_pm, due_date=date(2026, 12, 1),
        description="Identity check: a date of birth alone is not enough", item=second,
        criterion_id=int(pending[1].criterion.key),
    )  # fmt: skip
    services.no_action_save(viewer=pm, session=session, item=first,
                            criterion_id=int(pending[0].criterion.key),
                            note="Empathy N/A on a password reset is fine")  # fmt: skip
    services.session_close(viewer=pm, session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED
    assert OutcomeItem.objects.filter(session=session).count() == 1


def test_refusals_change_nothing(session, buyer_pm, buyer_reviewer, partner_lead, partner_viewer):
    item = session.items.first()
    lead = viewer_of(partner_lead)
    with pytest.raises(DomainError, match="outside its scale"):
        services.score_save(
            viewer=lead, session=session, item=item, values=answers(session, 1, 6, 3, 1)
        )
    with pytest.raises(DomainError, match="N/A is not allowed"):
        services.score_save(viewer=lead, session=session, item=item,
                            values=answers(session, 1, None, 3, 1))  # fmt: skip
    with pytest.raises(DomainError, match="not a reviewer"):
        services.score_save(viewer=viewer_of(partner_viewer), session=session, item=item,
                            values=answers(session, 1, 4, 3, 1))  # fmt: skip
    with pytest.raises(DomainError, match="missing"):
        services.submit(viewer=lead, session=session)
    assert not Score.objects.exists()


def test_the_facilitator_closes_scoring_and_missing_reviewers_are_recorded(
    session, buyer_pm, buyer_reviewer, partner_lead
):
    score_all(session, buyer_reviewer, (1, 4, 3, 1), (0, 2, 4, 0))
    services.submit(viewer=viewer_of(buyer_reviewer), session=session)
    services.close_scoring(viewer=viewer_of(buyer_pm), session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.REVEALED
    assert list(session.reviewers.filter(missing=True).values_list("user", flat=True)) == [
        partner_lead.pk
    ]
    assert "missing" in session.reveal_reason
    with pytest.raises(DomainError, match="program managers"):
        services.close_scoring(viewer=viewer_of(partner_lead), session=session)


def test_each_reviewer_gets_their_own_agreement_and_bias_at_the_reveal(
    session, buyer_reviewer, partner_lead
):
    """One reviewer a side: each agrees with the other as the session does (70 %), and
    their biases mirror the session's 37.5 points (partner minus buyer)."""
    score_all(session, buyer_reviewer, (1, 4, 3, 1), (0, 2, 4, 0))
    score_all(session, partner_lead, (1, 5, None, 1), (0, 2, 4, 1))
    services.submit(viewer=viewer_of(buyer_reviewer), session=session)
    buyer_seat = session.reviewers.get(user=buyer_reviewer)
    assert (buyer_seat.agreement, buyer_seat.bias) == (None, None)  # still blind
    services.submit(viewer=viewer_of(partner_lead), session=session)
    seats = {seat.user_id: seat for seat in session.reviewers.all()}
    assert (seats[buyer_reviewer.pk].agreement, seats[buyer_reviewer.pk].bias) == (
        D("0.7"), D("-37.5"),
    )  # fmt: skip
    assert (seats[partner_lead.pk].agreement, seats[partner_lead.pk].bias) == (D("0.7"), D("37.5"))


def test_revealed_sessions_get_their_reviewers_figures_when_the_fields_arrive(
    session, buyer_reviewer, partner_lead
):
    """The migration that added the fields computes them for sessions already revealed."""
    import importlib

    from django.apps import apps

    score_all(session, buyer_reviewer, (1, 4, 3, 1), (0, 2, 4, 0))
    score_all(session, partner_lead, (1, 5, None, 1), (0, 2, 4, 1))
    services.submit(viewer=viewer_of(buyer_reviewer), session=session)
    services.submit(viewer=viewer_of(partner_lead), session=session)
    before = sorted(session.reviewers.values_list("agreement", "bias"))
    session.reviewers.update(agreement=None, bias=None)
    migration = importlib.import_module("calibration.migrations.0002_reviewer_alignment")
    migration.backfill(apps, None)
    assert sorted(session.reviewers.values_list("agreement", "bias")) == before
