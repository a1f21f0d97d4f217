"""The debrief folded per interaction: each one a <details> whose summary line gives its
channel, both sides' scores, the gap, the agreement and its disagreements still open and
resolved; those with a disagreement still open or a gap beyond tolerance are unfolded."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from calibration import services
from calibration.models import SessionStatus
from tests.factories.calibration import answers, make_rubric, make_session, viewer_of

# In the rubric's order (greeting, accuracy, empathy, verified identity); None is N/A.
# T-1: empathy N/A on one side (a disagreement), 80 against 100 (beyond the tolerance).
# T-2: empathy N/A on one side only (a disagreement), both scoring 100 (within tolerance).
# T-3: both sides alike.
BUYER = ((1, 4, 3, 1), (1, 5, 5, 1), (1, 5, 5, 1))
PARTNER = ((1, 5, None, 1), (1, 5, None, 1), (1, 5, 5, 1))


@pytest.fixture
def revealed(world, buyer_pm, buyer_reviewer, partner_lead):
    session = make_session(
        buyer_pm, world.harbor, make_rubric(buyer_pm),
        [(buyer_reviewer, "buyer"), (partner_lead, "partner")], items=3,
    )  # fmt: skip
    items = list(session.items.order_by("position"))
    for user, sheets in ((buyer_reviewer, BUYER), (partner_lead, PARTNER)):
        viewer = viewer_of(user)
        for item, values in zip(items, sheets, strict=True):
            services.score_save(
                viewer=viewer, session=session, item=item, values=answers(session, *values)
            )
        services.submit(viewer=viewer, session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.REVEALED
    return session, items


def _folds(html):
    """Per interaction id (T-1…): (unfolded?, its summary line as text)."""
    found = {}
    pattern = (
        r'<details class="card debrief-item[^"]*" id="item-\d+"( open)?>\s*<summary>(.*?)</summary>'
    )
    for match in re.finditer(pattern, html, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()
        found[text.split(" ")[0]] = (bool(match.group(1)), text)
    return found


def _page(client, session):
    response = client.get(reverse("calibration:session-detail", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_interaction_folds_under_a_one_line_summary(revealed, buyer_pm, login):
    # given
    session, _ = revealed
    # when
    folds = _folds(_page(login(buyer_pm), session))
    # then: one fold per interaction, largest disagreement first
    assert list(folds) == ["T-1", "T-2", "T-3"]
    t1_open, t1 = folds["T-1"]
    assert t1.startswith("T-1 Chat")
    assert "buyer 80 · partner 100 · gap +20.0 beyond tolerance · agreement 70.0 %" in t1
    assert "disagreements: 1 open, 0 resolved" in t1
    _, t3 = folds["T-3"]
    assert "agreement 100.0 %" in t3
    assert t3.endswith("no disagreement")
    # and: what still needs the room is unfolded, the rest folded
    assert t1_open
    assert folds["T-2"][0]
    assert "buyer 100 · partner 100" in folds["T-2"][1]
    assert "beyond tolerance" not in folds["T-2"][1]
    assert "disagreements: 1 open, 0 resolved" in folds["T-2"][1]
    assert not folds["T-3"][0]


def test_a_settled_interaction_folds_unless_beyond_tolerance(
    revealed, buyer_pm, partner_lead, login
):
    # given: both disagreements settled, one by a note, one by an outcome item
    session, items = revealed
    criteria = list(session.version.criteria.order_by("position"))
    pm = viewer_of(buyer_pm)
    services.no_action_save(
        viewer=pm, session=session, item=items[0], criterion_id=criteria[2].pk,
        note="Empathy N/A on a reset is fine",
    )  # fmt: skip
    services.outcome_add(
        viewer=pm, session=session, kind="policy", description="Empathy applies to resets",
        owner=buyer_pm, due_date=session.due_date, item=items[1], criterion_id=criteria[2].pk,
    )  # fmt: skip
    # when
    folds = _folds(_page(login(partner_lead), session))
    # then
    assert "disagreements: 0 open, 1 resolved" in folds["T-1"][1]
    assert "disagreements: 0 open, 1 resolved" in folds["T-2"][1]
    assert folds["T-1"][0]  # still beyond the tolerance: unfolded
    assert not folds["T-2"][0]
    assert not folds["T-3"][0]
    # when: the session closes, nothing is open any more
    services.session_close(viewer=pm, session=session)
    folds = _folds(_page(login(buyer_pm), session))
    # then
    assert "disagreements: 0 open, 1 resolved" in folds["T-2"][1]
    assert [name for name, (unfolded, _) in folds.items() if unfolded] == ["T-1"]


def test_the_summary_holds_no_link_and_the_helpdesk_link_is_inside(revealed, buyer_pm, login):
    """A link inside a <summary> would be a control within a control for the keyboard."""
    # given
    session, items = revealed
    # when
    html = _page(login(buyer_pm), session)
    # then
    summaries = re.findall(r"<summary>(.*?)</summary>", html, re.S)
    assert summaries
    assert all("<a " not in s for s in summaries)
    assert f'href="{items[0].link}"' in html
    assert "Open T-1 in the helpdesk" in html


def test_before_the_reveal_there_is_no_fold(world, buyer_pm, buyer_reviewer, partner_lead, login):
    # given: scoring still blind
    session = make_session(
        buyer_pm, world.harbor, make_rubric(buyer_pm),
        [(buyer_reviewer, "buyer"), (partner_lead, "partner")],
    )  # fmt: skip
    # when
    html = _page(login(buyer_pm), session)
    # then
    assert _folds(html) == {}
    assert "disagreements:" not in html
