"""Calibration sessions as pages: a whole session through the HTML views, the blind rule on
every page, refused input, tenancy and constant query counts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calibration import services
from calibration.models import (
    CalibrationSession,
    ConsensusScore,
    NoActionNote,
    OutcomeItem,
    Score,
    SessionKind,
    SessionStatus,
)
from core import clock
from partners.models import Membership
from tests.factories.calibration import answers, make_rubric, make_session, viewer_of
from tests.factories.partners import PartnerFactory

D = Decimal
# The answers of tests/calibration/test_sessions.py, in the rubric's order (greeting,
# accuracy, empathy, verified identity): agreement 70 %, bias +37.5 points.
BUYER = ((1, 4, 3, 1), (0, 2, 4, 0))
PARTNER = ((1, 5, None, 1), (0, 2, 4, 1))


@pytest.fixture
def rubric(buyer_pm):
    return make_rubric(buyer_pm)


@pytest.fixture
def session(world, buyer_pm, buyer_reviewer, partner_lead, rubric):
    return make_session(buyer_pm, world.harbor, rubric, [(buyer_reviewer, "buyer"),
                                                         (partner_lead, "partner")])  # fmt: skip


def url(name, obj=None):
    return reverse(f"calibration:{name}", args=[obj.pk] if obj is not None else [])


def save(client, session, item, values):
    """POST answers (criterion id → value or None) as scoring.js does."""
    body = {"item": item.pk, "answers": {str(k): v if v is None else str(v)
                                         for k, v in values.items()}}  # fmt: skip
    return client.post(
        url("scoring-save", session), json.dumps(body), content_type="application/json"
    )


def score_sheets(client, session, sheets):
    for item, values in zip(session.items.order_by("position"), sheets, strict=True):
        response = save(client, session, item, answers(session, *values))
        assert response.status_code == 200, response.content


def page(client, name, obj=None):
    response = client.get(url(name, obj))
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# A WHOLE SESSION THROUGH THE PAGES
# ------------------------------------------------------------------------------


def test_a_full_session_through_the_pages(
    world, buyer_pm, buyer_reviewer, partner_lead, rubric, login
):
    pm, reviewer, lead = login(buyer_pm), login(buyer_reviewer), login(partner_lead)
    members = {m.user_id: m.pk for m in Membership.objects.filter(account=world.account)}
    # given: the program manager plans an ad hoc session and adds two interactions by hand
    form = page(pm, "session-create")
    # the reviewer checkboxes list the account's scorers
    assert f'value="{members[partner_lead.pk]}"' in form
    response = pm.post(url("session-create"), {
        "partner": world.harbor.pk, "rubric": rubric.pk, "due_date": "2026-11-20",
        "reason": "Quality dip on chat",
        "reviewers": [members[buyer_reviewer.pk], members[partner_lead.pk]],
    })  # fmt: skip
    session = CalibrationSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("session-detail", session)
    assert session.kind == SessionKind.AD_HOC
    assert session.facilitator == buyer_pm
    for n in (1, 2):
        pm.post(url("session-item-add", session), {
            "external_id": f"T-{n}", "link": f"https://helpdesk.example/tickets/{n}",
            "channel": "chat", "interaction_type": "Order status",
        })  # fmt: skip
    session.refresh_from_db()
    assert session.status == SessionStatus.SCORING
    assert session.items.count() == 2
    detail = page(pm, "session-detail", session)
    assert "https://helpdesk.example/tickets/1" in detail
    assert "0 of 2" in detail  # submitted

    # when: both reviewers score through the JSON save and submit through the page
    scoring = page(reviewer, "scoring", session)
    assert "0 of 8 answered" in scoring
    first = session.items.order_by("position").first()
    response = save(reviewer, session, first, answers(session, *BUYER[0]))
    assert response.json() == {"saved": 4, "answered": 4, "needed": 8}
    score_sheets(reviewer, session, BUYER)
    response = reviewer.post(url("session-submit", session), follow=True)
    assert "Nobody sees your scores" in " ".join(messages_of(response))
    score_sheets(lead, session, PARTNER)
    response = lead.post(url("session-submit", session), follow=True)
    assert "the scores are revealed" in " ".join(messages_of(response))

    # then: the debrief shows both sides and the hand-computed alignment
    session.refresh_from_db()
    assert session.status == SessionStatus.REVEALED
    debrief = page(pm, "session-detail", session)
    assert "70.0 %" in debrief
    assert "+37.5" in debrief
    assert "favours the partner side" in debrief
    assert 'data-side="buyer">3</td>' in debrief  # empathy on T-1: buyer 3, partner N/A
    assert 'data-side="partner">N/A</td>' in debrief
    assert 'data-side="buyer">80</td>' in debrief  # T-1's interaction scores
    assert 'data-side="partner">100</td>' in debrief
    assert "beyond tolerance" in debrief
    # largest disagreement first: on T-1, empathy (0 %) comes before accuracy (75 %)
    t1 = debrief[debrief.index('id="item-' + str(first.pk)) :]
    assert t1.index("Empathy") < t1.index("Accuracy") < t1.index("Greeting")

    # the program manager records the consensus, an outcome and a "no action" note
    consensus = [(1, 4, 3, 1), (0, 2, 4, 1)]
    for item, values in zip(session.items.order_by("position"), consensus, strict=True):
        data = {f"c{k}": "na" if v is None else str(v)
                for k, v in answers(session, *values).items()}  # fmt: skip
        pm.post(url("session-consensus", session), {"item": item.pk, **data})
    assert ConsensusScore.objects.filter(item__session=session).count() == 8
    session.refresh_from_db()
    assert session.buyer_vs_consensus is not None
    refused = pm.post(url("session-close", session), follow=True)
    assert "2 disagreement(s) need an outcome item" in " ".join(messages_of(refused))
    criteria = list(session.version.criteria.order_by("position"))
    empathy, identity = criteria[2], criteria[3]
    second = session.items.order_by("position").last()
    response = pm.post(url("outcome-add", session), {
        "item": second.pk, "criterion": identity.pk, "kind": "policy",
        "description": "Identity check: a date of birth alone is not enough",
        "owner": buyer_pm.pk, "due_date": "2026-12-01",
    }, follow=True)  # fmt: skip
    assert "Added the policy clarification" in " ".join(messages_of(response))
    pm.post(url("session-no-action", session), {
        "item": first.pk, "criterion": empathy.pk, "note": "Empathy N/A on a reset is fine",
    })  # fmt: skip
    assert NoActionNote.objects.filter(item=first, criterion=empathy).exists()
    response = pm.post(url("session-close", session), follow=True)
    assert "Closed the session." in messages_of(response)
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED

    # the outcome is listed, and its owner marks it done
    outcomes = page(lead, "outcome-list")
    assert "Identity check: a date of birth alone is not enough" in outcomes
    outcome = OutcomeItem.objects.get()
    pm.post(url("outcome-update", outcome), {"status": "done"})
    outcome.refresh_from_db()
    assert outcome.status == "done"
    # the scoring page now says the scores are locked
    assert "Scores are locked" in page(lead, "scoring", session)


def test_the_scoring_page_works_without_javascript(session, buyer_reviewer, login):
    client = login(buyer_reviewer)
    first, second = session.items.order_by("position")
    data = {f"i{first.pk}-c{k}": "na" if v is None else str(v)
            for k, v in answers(session, 1, 4, None, 1).items()}  # fmt: skip
    response = client.post(url("scoring", session), {"item": first.pk, **data})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?item={second.pk}")  # on to the next interaction
    assert Score.objects.filter(item=first, reviewer__user=buyer_reviewer).count() == 4
    html = (
        page(client, "scoring", session)
        + client.get(url("scoring", session) + f"?item={first.pk}").content.decode()
    )
    assert "4 of 8 answered" in html
    assert 'value="na" checked' in html


def test_the_scoring_page_groups_criteria_by_section_with_the_right_inputs(
    session, buyer_reviewer, login
):
    html = login(buyer_reviewer).get(url("scoring", session) + "?all=1").content.decode()
    assert html.count('class="rubric-section"') == 6  # 2 interactions × 3 sections
    empathy, accuracy = (session.version.criteria.get(name=n) for n in ("Empathy", "Accuracy"))
    first = session.items.order_by("position").first()
    assert f'name="i{first.pk}-c{empathy.pk}" value="na"' in html  # N/A where allowed
    assert f'name="i{first.pk}-c{accuracy.pk}" value="na"' not in html
    assert f'name="i{first.pk}-c{accuracy.pk}" value="5"' in html
    assert "js/scoring.js" in html


# THE BLIND RULE
# ------------------------------------------------------------------------------

TONE_RUBRIC = [
    services.CriterionInput("Voice", "Tone", D(10), "zero_to_hundred"),
    services.CriterionInput("Opening", "Greeting", D(1), "yes_no"),
]
BUYER_TONE, PARTNER_TONE = "37.25", "81.75"  # values no page shows by accident


@pytest.fixture
def tone_session(world, buyer_pm, buyer_reviewer, partner_lead):
    rubric = make_rubric(buyer_pm, name="Tone", criteria=TONE_RUBRIC)
    return make_session(buyer_pm, world.harbor, rubric, [(buyer_reviewer, "buyer"),
                                                         (partner_lead, "partner")],
                        items=1)  # fmt: skip


def all_pages(client, session):
    return {
        name: page(client, name, obj)
        for name, obj in (
            ("session-detail", session), ("scoring", session), ("session-list", None),
            ("overview", None), ("outcome-list", None),
        )
    }  # fmt: skip


def test_no_page_shows_another_reviewers_scores_before_the_reveal(
    tone_session, buyer_pm, buyer_reviewer, partner_lead, login
):
    # given: both sides scored, with distinctive values
    item = tone_session.items.get()
    tone, greeting = tone_session.version.criteria.order_by("position")
    reviewer, lead = login(buyer_reviewer), login(partner_lead)
    assert save(reviewer, tone_session, item, {tone.pk: BUYER_TONE, greeting.pk: 1}).json() == {
        "saved": 2, "answered": 2, "needed": 2,
    }  # fmt: skip
    # the partner lead's save answers with their own counts only, never the buyer's
    assert save(lead, tone_session, item, {tone.pk: PARTNER_TONE}).json() == {
        "saved": 1, "answered": 1, "needed": 2,
    }  # fmt: skip
    # when / then: every page, for each of them
    seen = {
        "partner_lead": (all_pages(lead, tone_session), PARTNER_TONE),
        "buyer_reviewer": (all_pages(reviewer, tone_session), BUYER_TONE),
        "buyer_pm": (all_pages(login(buyer_pm), tone_session), None),
    }
    for who, (pages, own) in seen.items():
        for name, html in pages.items():
            for hidden in (BUYER_TONE, PARTNER_TONE):
                if hidden != own:
                    assert hidden not in html, f"{who} sees {hidden} on {name}"
            assert 'data-side="' not in html, f"{who} sees side-by-side values on {name}"
            assert "Krippendorff" not in html
        if own:
            assert f'value="{own}"' in pages["scoring"]  # their own scores, and only those
    assert "You have answered 1 of 2" in seen["partner_lead"][0]["session-detail"]
    assert "You have answered" not in seen["buyer_pm"][0]["session-detail"]


def test_after_the_reveal_every_page_shows_both_sides(
    tone_session, buyer_pm, buyer_reviewer, partner_lead, login
):
    item = tone_session.items.get()
    tone, greeting = tone_session.version.criteria.order_by("position")
    save(login(buyer_reviewer), tone_session, item, {tone.pk: BUYER_TONE, greeting.pk: 1})
    save(login(partner_lead), tone_session, item, {tone.pk: PARTNER_TONE, greeting.pk: 0})
    # when: the facilitator closes scoring (nobody submitted: both are recorded missing)
    response = login(buyer_pm).post(url("session-close-scoring", tone_session), follow=True)
    assert "2 reviewers had not submitted" in " ".join(messages_of(response))
    # then
    for user in (partner_lead, buyer_reviewer, buyer_pm):
        html = page(login(user), "session-detail", tone_session)
        assert f'data-side="buyer">{BUYER_TONE}</td>' in html
        assert f'data-side="partner">{PARTNER_TONE}</td>' in html
        assert "missing" in html
    overview = page(login(partner_lead), "overview")
    assert "trend-" in overview  # the alignment trend has its first point


# REFUSED INPUT
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((1, 6, 3, 1), "outside its scale"),
        ((1, None, 3, 1), "N/A is not allowed"),
        ((1, 2.5, 3, 1), "not a whole step"),
        ((1, "abc", 3, 1), "is not a number"),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_stored(
    session, partner_lead, login, values, message
):
    item = session.items.first()
    criteria = list(session.version.criteria.order_by("position"))
    body = {str(c.pk): v for c, v in zip(criteria, values, strict=True)}
    response = login(partner_lead).post(
        url("scoring-save", session), json.dumps({"item": item.pk, "answers": body}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Score.objects.exists()


def test_unknown_criteria_items_and_bodies_are_refused(session, partner_lead, rubric, login):
    client = login(partner_lead)
    item = session.items.first()
    other = make_session(
        session.facilitator, session.partner, rubric, [(partner_lead, "partner")],
        due=date(2026, 12, 4),
    ).items.first()  # fmt: skip
    for body in (
        {"item": item.pk, "answers": {"999999": 1}},
        {"item": other.pk, "answers": answers(session, 1, 4, 3, 1)},
        {"item": item.pk, "answers": {}},
        "not json",
    ):
        payload = body if isinstance(body, str) else json.dumps(body, default=str)
        response = client.post(url("scoring-save", session), payload,
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 400
        assert response.json()["error"]
    assert not Score.objects.exists()


def test_someone_who_is_not_a_reviewer_cannot_score(session, partner_viewer, buyer_pm, login):
    for user in (partner_viewer, buyer_pm):
        response = save(login(user), session, session.items.first(), answers(session, 1, 4, 3, 1))
        assert response.status_code == 400
        assert response.json() == {"error": "You are not a reviewer of this session."}
    html = page(login(partner_viewer), "scoring", session)
    assert "You are not a reviewer of this session" in html
    assert not Score.objects.exists()


def test_scores_cannot_change_after_the_reveal(session, buyer_pm, partner_lead, login):
    login(buyer_pm).post(url("session-close-scoring", session))
    session.refresh_from_db()
    assert session.is_revealed
    response = save(login(partner_lead), session, session.items.first(),
                    answers(session, 1, 4, 3, 1))  # fmt: skip
    assert response.status_code == 400
    assert "can no longer change" in response.json()["error"]
    assert not Score.objects.exists()


def test_a_plain_form_post_with_a_bad_value_shows_the_message(session, partner_lead, login):
    item = session.items.first()
    accuracy = session.version.criteria.get(name="Accuracy")
    response = login(partner_lead).post(
        url("scoring", session), {"item": item.pk, f"i{item.pk}-c{accuracy.pk}": "7"},
        follow=True,
    )  # fmt: skip
    assert "outside its scale" in " ".join(messages_of(response))
    assert not Score.objects.exists()


def test_submitting_with_answers_missing_says_how_many(session, partner_lead, login):
    response = login(partner_lead).post(url("session-submit", session), follow=True)
    assert "8 answer(s) are missing" in " ".join(messages_of(response))


def test_a_broken_rule_on_an_action_is_a_message(session, buyer_pm, login):
    client = login(buyer_pm)
    response = client.post(url("session-draw", session), follow=True)
    assert response.status_code == 200
    assert "no interactions from" in " ".join(messages_of(response))
    response = client.post(url("session-item-add", session),
                           {"external_id": "T-1", "channel": "chat"}, follow=True)  # fmt: skip
    assert "T-1 is already in this session" in " ".join(messages_of(response))
    response = client.post(url("session-item-add", session),
                           {"external_id": "T-9", "channel": "fax"}, follow=True)  # fmt: skip
    assert "Channel" in " ".join(messages_of(response))


def test_a_reviewer_from_another_partner_is_a_form_error(
    world, buyer_pm, other_partner_lead, rubric, login
):
    membership = Membership.objects.get(user=other_partner_lead)
    response = login(buyer_pm).post(url("session-create"), {
        "partner": world.harbor.pk, "rubric": rubric.pk, "due_date": "2026-11-20",
        "reason": "New interaction type", "reviewers": [membership.pk],
    })  # fmt: skip
    assert response.status_code == 200
    assert "cannot review Harbor Support" in response.content.decode()
    assert not CalibrationSession.objects.exists()


def test_the_program_manager_adds_a_reviewer(session, buyer_pm, login):
    client = login(buyer_pm)
    assert "Add a reviewer" in page(client, "session-detail", session)
    client.post(url("session-reviewer-add", session), {"user": buyer_pm.pk})
    assert session.reviewers.filter(user=buyer_pm, side="buyer").exists()


# TENANCY AND ROLES
# ------------------------------------------------------------------------------

PM_ONLY_POSTS = [
    "session-draw", "session-item-add", "session-reviewer-add", "session-close-scoring",
    "session-consensus", "outcome-add", "session-no-action", "session-close",
]  # fmt: skip


def test_other_partners_and_accounts_get_404_on_harbors_session(
    session, buyer_pm, other_partner_lead, outsider_pm, login
):
    outcome = OutcomeItem.objects.create(
        session=session, kind="policy", description="Harbor only", owner=buyer_pm,
        due_date=date(2026, 12, 1),
    )  # fmt: skip
    for user in (other_partner_lead, outsider_pm):
        client = login(user)
        for name in ("session-detail", "scoring"):
            assert client.get(url(name, session)).status_code == 404
        for name in ("scoring-save", "session-submit", "scoring"):
            assert client.post(url(name, session), {}).status_code == 404
        assert client.post(url("outcome-update", outcome), {"status": "done"}).status_code == 404
        assert "Harbor" not in page(client, "session-list")
        assert "Harbor only" not in page(client, "outcome-list")
        assert "Harbor Support" not in page(client, "overview")
    # a program manager of another account passes the role check, not the scoping
    for name in PM_ONLY_POSTS:
        assert login(outsider_pm).post(url(name, session), {}).status_code == 404
    outcome.refresh_from_db()
    assert outcome.status == "open"


def test_only_program_managers_run_sessions(
    session, partner_lead, partner_viewer, other_partner_lead, buyer_reviewer, login
):
    for user in (partner_lead, partner_viewer, other_partner_lead, buyer_reviewer):
        client = login(user)
        for name in PM_ONLY_POSTS:
            assert client.post(url(name, session), {}).status_code == 403, (user, name)
        assert client.get(url("session-create")).status_code == 403
        assert client.post(url("session-create"), {}).status_code == 403
    assert page(login(partner_lead), "session-detail", session).count("Close scoring now") == 0


def test_partner_users_see_their_own_sessions(session, partner_lead, partner_viewer, login):
    for user in (partner_lead, partner_viewer):
        html = page(login(user), "session-list")
        assert reverse("calibration:session-detail", args=[session.pk]) in html
        assert "0 of 2 submitted" in html


def test_an_outcome_is_marked_done_by_its_owner_or_a_program_manager_only(
    session, buyer_pm, partner_lead, partner_viewer, login
):
    outcome = OutcomeItem.objects.create(
        session=session, kind="training", description="Refresher on refunds", owner=partner_lead,
        due_date=clock.today() - timedelta(days=1),
    )  # fmt: skip
    html = page(login(partner_viewer), "outcome-list")
    assert "overdue" in html
    assert url("outcome-update", outcome) not in html
    response = login(partner_viewer).post(url("outcome-update", outcome), {"status": "done"},
                                          follow=True)  # fmt: skip
    assert "Only the owner or a program manager" in " ".join(messages_of(response))
    login(partner_lead).post(url("outcome-update", outcome), {"status": "done"})
    outcome.refresh_from_db()
    assert outcome.status == "done"


# THE OVERVIEW
# ------------------------------------------------------------------------------


def cadence_session(partner, version, due, *, revealed=None, agreement=None, bias=None):
    return CalibrationSession.objects.create(
        partner=partner, version=version, kind=SessionKind.CADENCE, due_date=due,
        period_start=due - timedelta(days=28), period_end=due - timedelta(days=1),
        status=SessionStatus.REVEALED if revealed else SessionStatus.SCORING,
        revealed_at=revealed, agreement=agreement, bias=bias,
    )  # fmt: skip


def test_overview_shows_cadence_adherence_trend_and_upcoming(world, buyer_pm, rubric, login):
    version = rubric.versions.get()
    today = clock.today()
    on_time = clock.now() - timedelta(days=13)
    cadence_session(world.harbor, version, today - timedelta(days=14), revealed=on_time,
                    agreement=D("0.82"), bias=D("4.5"))  # fmt: skip
    cadence_session(world.harbor, version, today - timedelta(days=7))  # due, not held
    cadence_session(world.harbor, version, today + timedelta(days=7))  # upcoming
    html = page(login(buyer_pm), "overview")
    assert "1 of 2 due" in html
    assert "50.0 %" in html
    assert "82.0 %" in html
    assert "+4.5" in html
    assert f'id="trend-{world.harbor.pk}"' in html
    assert "js/charts.js" in html
    assert (today + timedelta(days=7)).strftime("%-d %b %Y") in html


# QUERY COUNTS
# ------------------------------------------------------------------------------


def _count_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def _sessions(partners, version, start, buyer_pm):
    for n, partner in enumerate(partners):
        due = start + timedelta(days=7 * n)
        revealed = clock.now() if n % 2 else None
        session = cadence_session(partner, version, due, revealed=revealed,
                                  agreement=D("0.7") if revealed else None,
                                  bias=D("3") if revealed else None)  # fmt: skip
        session.reviewers.create(user=buyer_pm, side="buyer")
        session.items.create(position=0, external_id=f"X-{n}", channel="chat")
        if revealed:
            OutcomeItem.objects.create(session=session, kind="process", description=f"Fix {n}",
                                       owner=buyer_pm, due_date=due)  # fmt: skip


def test_session_list_and_overview_queries_do_not_grow(world, buyer_pm, rubric, login):
    client = login(buyer_pm)
    version = rubric.versions.get()
    today = clock.today()
    _sessions([world.harbor, world.pacific], version, today - timedelta(days=30), buyer_pm)
    two = {name: _count_queries(client, url(name)) for name in ("session-list", "overview")}
    more = [PartnerFactory(account=world.account) for _ in range(4)]
    _sessions([world.harbor, world.pacific, *more], version, today - timedelta(days=20), buyer_pm)
    assert CalibrationSession.objects.count() == 8
    html = client.get(url("overview")).content.decode()
    assert html.count('class="card calibration-partner"') == 6
    six = {name: _count_queries(client, url(name)) for name in ("session-list", "overview")}
    assert six == two


def test_the_services_view_of_the_session_matches_the_page(session, buyer_pm, login):
    """The page's stored numbers come from the service, never recomputed from raw scores."""
    pm = viewer_of(buyer_pm)
    services.close_scoring(viewer=pm, session=session)
    html = page(login(buyer_pm), "session-detail", session)
    assert "not defined" in html  # no scores: alpha undefined
    assert "no interaction scored by both sides" in html


def test_home_lists_the_sessions_a_reviewer_has_to_score(
    world, buyer_pm, buyer_reviewer, partner_lead, login
):
    from tests.factories.calibration import make_rubric, make_session

    session = make_session(buyer_pm, world.harbor, make_rubric(buyer_pm, name="Home QA"),
                           [(buyer_reviewer, "buyer"), (partner_lead, "partner")])  # fmt: skip
    scoring = reverse("calibration:scoring", args=[session.pk])
    for user in (buyer_reviewer, partner_lead):
        html = login(user).get(reverse("home:home")).content.decode()
        assert "Calibration sessions to score" in html
        assert scoring in html
    assert scoring not in login(buyer_pm).get(reverse("home:home")).content.decode()
