"""Calibration over REST: rubrics, a whole session through the API, the blind rule from every
interface, refusals that store nothing, tenancy, QA evaluations and their disputes, and
query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calibration import services
from calibration.models import (
    CalibrationSession,
    ConsensusScore,
    Dispute,
    NoActionNote,
    OutcomeItem,
    QaEvaluation,
    Rubric,
    RubricVersion,
    Score,
    SessionItem,
    SessionReviewer,
    SessionStatus,
)
from core import clock
from kpis.models import Interaction
from partners.models import InteractionType, Role
from tests.factories.api import error, token_for
from tests.factories.calibration import CRITERIA, answers, make_rubric, make_session, viewer_of
from tests.factories.partners import MembershipFactory, UserFactory

RUBRICS = "/api/v1/rubrics/"
SESSIONS = "/api/v1/calibration-sessions/"
SCORES = "/api/v1/scores/"
OUTCOMES = "/api/v1/outcome-items/"
EVALUATIONS = "/api/v1/qa-evaluations/"
DISPUTES = "/api/v1/disputes/"

CRITERIA_JSON = [
    {"section": "Opening", "name": "Greeting", "weight": "1", "scale": "yes_no"},
    {"section": "Resolution", "name": "Accuracy", "weight": "4", "scale": "one_to_five"},
    {
        "section": "Resolution",
        "name": "Empathy",
        "weight": "2",
        "scale": "one_to_five",
        "na_allowed": True,
        "guidance": "Acknowledges the customer's situation.",
    },
    {
        "section": "Compliance",
        "name": "Verified identity",
        "weight": "3",
        "scale": "yes_no",
        "critical": True,
    },
]

# The hand-computed session of tests/calibration/test_sessions.py: agreement 0.7, bias 37.5.
BUYER_SHEETS = ((1, 4, 3, 1), (0, 2, 4, 0))
PARTNER_SHEETS = ((1, 5, None, 1), (0, 2, 4, 1))


def sheet(criterion_ids: list[int], *values) -> dict[str, str | None]:
    """Answers as JSON: criterion id (a string key) → value, None for N/A."""
    return {
        str(pk): (None if v is None else str(v))
        for pk, v in zip(criterion_ids, values, strict=True)
    }


def criterion_ids(session: CalibrationSession) -> list[int]:
    return list(session.version.criteria.order_by("position").values_list("pk", flat=True))


def item_ids(session: CalibrationSession) -> list[int]:
    return list(session.items.order_by("position").values_list("pk", flat=True))


def post_sheets(client, session: CalibrationSession, sheets) -> None:
    ids = criterion_ids(session)
    for item, values in zip(item_ids(session), sheets, strict=True):
        response = client.post(
            SCORES,
            {"session": session.pk, "item": item, "answers": sheet(ids, *values)},
            format="json",
        )
        assert response.status_code == 200, response.json()


def scores_seen(client, **params) -> list[dict]:
    response = client.get(SCORES, {"page_size": 500, **params})
    assert response.status_code == 200, response.json()
    return response.json()["results"]


@pytest.fixture
def rubric(buyer_pm) -> Rubric:
    return make_rubric(buyer_pm)


@pytest.fixture
def session(world, buyer_pm, buyer_reviewer, partner_lead, rubric) -> CalibrationSession:
    """Harbor's session in blind scoring: two hand-added interactions, one reviewer a side."""
    return make_session(
        buyer_pm, world.harbor, rubric, [(buyer_reviewer, "buyer"), (partner_lead, "partner")]
    )


def reveal(session, buyer_reviewer, partner_lead) -> None:
    """Both sides score the hand-computed sheets and submit: the last submission reveals."""
    for user, sheets in ((buyer_reviewer, BUYER_SHEETS), (partner_lead, PARTNER_SHEETS)):
        viewer = viewer_of(user)
        for item, values in zip(session.items.order_by("position"), sheets, strict=True):
            services.score_save(
                viewer=viewer, session=session, item=item, values=answers(session, *values)
            )
        services.submit(viewer=viewer, session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.REVEALED


# A FULL SESSION
# ------------------------------------------------------------------------------


def test_a_full_session_through_the_api_only(
    api_login, world, buyer_pm, buyer_reviewer, partner_lead
):
    pm = api_login(buyer_pm)
    # given a rubric the program manager creates
    response = pm.post(
        RUBRICS, {"name": "Support QA", "channel": "chat", "criteria": CRITERIA_JSON}
    )
    assert response.status_code == 201, response.json()
    rubric = response.json()
    assert (rubric["version"], rubric["versions"], rubric["channel"]) == (1, 1, "chat")
    assert [(c["position"], c["name"], c["scale"]) for c in rubric["criteria"]] == [
        (0, "Greeting", "yes_no"),
        (1, "Accuracy", "one_to_five"),
        (2, "Empathy", "one_to_five"),
        (3, "Verified identity", "yes_no"),
    ]
    assert rubric["criteria"][3]["critical"] is True
    assert rubric["criteria"][2]["weight"] == "2.00"
    ids = [c["id"] for c in rubric["criteria"]]

    # when an ad hoc session is planned with one reviewer a side
    response = pm.post(
        SESSIONS,
        {
            "partner": world.harbor.pk,
            "rubric": rubric["id"],
            "due_date": "2026-11-20",
            "reason": "CSAT dip on billing chats",
            "reviewers": [buyer_reviewer.pk, partner_lead.pk],
        },
    )
    assert response.status_code == 201, response.json()
    planned = response.json()
    url = f"{SESSIONS}{planned['id']}/"
    assert (planned["status"], planned["kind"], planned["facilitator"]) == (
        "planned",
        "ad_hoc",
        buyer_pm.pk,
    )
    assert (planned["period_start"], planned["period_end"]) == ("2026-10-23", "2026-11-19")
    assert sorted((r["user"], r["side"]) for r in planned["reviewers"]) == sorted(
        [(buyer_reviewer.pk, "buyer"), (partner_lead.pk, "partner")]
    )
    assert planned["agreement"] is None

    # and two interactions are added by hand
    for n in (1, 2):
        response = pm.post(
            f"{url}items/",
            {
                "external_id": f"T-{n}",
                "link": f"https://helpdesk.example/tickets/{n}",
                "channel": "chat",
                "interaction_type": "Billing",
            },
        )
        assert response.status_code == 201, response.json()
        assert response.json()["position"] == n - 1
    detail = pm.get(url).json()
    assert detail["status"] == "scoring"
    assert [(i["external_id"], i["channel"], i["interaction_type"]) for i in detail["items"]] == [
        ("T-1", "chat", "Billing"),
        ("T-2", "chat", "Billing"),
    ]
    items = [i["id"] for i in detail["items"]]

    # then each reviewer scores both interactions and submits
    for user, sheets in ((buyer_reviewer, BUYER_SHEETS), (partner_lead, PARTNER_SHEETS)):
        client = api_login(user)
        for item, values in zip(items, sheets, strict=True):
            response = client.post(
                SCORES,
                {"session": planned["id"], "item": item, "answers": sheet(ids, *values)},
            )
            assert response.status_code == 200, response.json()
            body = response.json()
            assert (body["item"], body["saved"], len(body["scores"])) == (item, 4, 4)
            assert {s["user"] for s in body["scores"]} == {user.pk}
        response = client.post(f"{url}submit/")
        assert response.status_code == 200, response.json()

    # and the last submission reveals, with the hand-computed alignment
    revealed = pm.get(url).json()
    assert revealed["status"] == "revealed"
    assert revealed["reveal_reason"] == "every reviewer submitted"
    assert (revealed["agreement"], revealed["bias"], revealed["beyond_tolerance"]) == (
        "0.700000",
        "37.500",
        2,
    )
    assert all(r["submitted_at"] and not r["missing"] for r in revealed["reviewers"])
    everyone = scores_seen(api_login(partner_lead), session=planned["id"])
    assert len(everyone) == 16
    assert {(s["side"], s["name"]) for s in everyone} == {
        ("buyer", buyer_reviewer.display_name),
        ("partner", partner_lead.display_name),
    }

    # debrief: consensus, then an outcome or a note for each disagreement, then close
    for item, values in zip(items, ((1, 4, 3, 1), (0, 2, 4, 1)), strict=True):
        response = pm.post(
            f"{url}consensus/", {"item": item, "answers": sheet(ids, *values)}, format="json"
        )
        assert response.status_code == 200, response.json()
    assert len(response.json()) == 8
    assert pm.get(url).json()["buyer_vs_consensus"] is not None
    pending = pm.get(f"{url}disagreements/").json()
    assert [(d["external_id"], d["criterion_name"]) for d in pending] == [
        ("T-1", "Empathy"),
        ("T-2", "Verified identity"),
    ]
    response = pm.post(f"{url}close/")
    assert response.status_code == 400
    assert error(response)["code"] == "open_disagreements"
    assert "2 disagreement(s)" in error(response)["detail"]
    response = pm.post(
        OUTCOMES,
        {
            "session": planned["id"],
            "kind": "policy",
            "description": "Identity check: a date of birth alone is not enough",
            "owner": partner_lead.pk,
            "due_date": "2026-12-01",
            "item": pending[1]["item"],
            "criterion": pending[1]["criterion"],
        },
    )
    assert response.status_code == 201, response.json()
    outcome = response.json()
    assert (outcome["partner"], outcome["external_id"], outcome["criterion_name"]) == (
        world.harbor.pk,
        "T-2",
        "Verified identity",
    )
    assert (outcome["status"], outcome["owner_name"]) == ("open", partner_lead.display_name)
    response = pm.post(
        f"{url}no-action/",
        {
            "item": pending[0]["item"],
            "criterion": pending[0]["criterion"],
            "note": "Empathy N/A on a password reset is fine",
        },
    )
    assert response.status_code == 201, response.json()
    assert pm.get(f"{url}disagreements/").json() == []
    response = pm.post(f"{url}close/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    assert response.json()["closed_at"] is not None

    # and the owner marks the outcome done
    response = api_login(partner_lead).patch(
        f"{OUTCOMES}{outcome['id']}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["done_at"] is not None


# THE BLIND RULE
# ------------------------------------------------------------------------------


@pytest.fixture
def half_scored(session, buyer_reviewer, partner_lead):
    """The buyer reviewer has scored both interactions and submitted; the partner lead has
    scored the first interaction only."""
    reviewer = viewer_of(buyer_reviewer)
    for item, values in zip(session.items.order_by("position"), BUYER_SHEETS, strict=True):
        services.score_save(
            viewer=reviewer, session=session, item=item, values=answers(session, *values)
        )
    services.submit(viewer=reviewer, session=session)
    services.score_save(
        viewer=viewer_of(partner_lead),
        session=session,
        item=session.items.order_by("position").first(),
        values=answers(session, *PARTNER_SHEETS[0]),
    )
    return session


@pytest.fixture
def second_session(world, buyer_pm, buyer_reviewer, partner_lead, rubric):
    """Another Harbor session in which the buyer reviewer has scored an interaction."""
    other = make_session(
        buyer_pm, world.harbor, rubric, [(buyer_reviewer, "buyer"), (partner_lead, "partner")],
        items=1, due=date(2026, 12, 4),
    )  # fmt: skip
    services.score_save(
        viewer=viewer_of(buyer_reviewer), session=other, item=other.items.get(),
        values=answers(other, *BUYER_SHEETS[0]),
    )  # fmt: skip
    return other


def test_before_the_reveal_a_partner_lead_sees_only_its_own_scores_from_every_interface(
    api_login, half_scored, second_session, buyer_reviewer, partner_lead
):
    session = half_scored
    lead = api_login(partner_lead)
    first, second = item_ids(session)
    buyer_reviewer_row = SessionReviewer.objects.get(session=session, user=buyer_reviewer)
    # by session, by interaction, by reviewer, by criterion
    own = scores_seen(lead, session=session.pk)
    assert len(own) == 4
    assert {(s["user"], s["side"], s["item"]) for s in own} == {(partner_lead.pk, "partner", first)}
    assert {s["user"] for s in scores_seen(lead, item=first)} == {partner_lead.pk}
    assert scores_seen(lead, item=second) == []
    assert scores_seen(lead, session=session.pk, reviewer=buyer_reviewer_row.pk) == []
    assert scores_seen(lead, item=second, reviewer=buyer_reviewer_row.pk) == []
    for criterion in criterion_ids(session):
        seen = scores_seen(lead, session=session.pk, criterion=criterion)
        assert [s["user"] for s in seen] == [partner_lead.pk]
    # an interaction of another session, alone or against this session
    other_item = second_session.items.get().pk
    assert scores_seen(lead, item=other_item) == []
    assert scores_seen(lead, session=session.pk, item=other_item) == []
    assert scores_seen(lead, session=second_session.pk) == []
    # the session itself, its list, its consensus and disagreements: no score, no alignment
    detail = lead.get(f"{SESSIONS}{session.pk}/")
    listed = lead.get(SESSIONS, {"partner": session.partner_id})
    for response in (detail, listed):
        assert response.status_code == 200
        assert '"value"' not in response.content.decode()
        assert "scores" not in response.content.decode()
    body = detail.json()
    assert [body[k] for k in ("agreement", "bias", "alpha", "beyond_tolerance")] == [None] * 4
    assert [body[k] for k in ("buyer_vs_consensus", "partner_vs_consensus")] == [None, None]
    assert lead.get(f"{SESSIONS}{session.pk}/consensus/").json() == []
    response = lead.get(f"{SESSIONS}{session.pk}/disagreements/")
    assert response.status_code == 400
    assert error(response)["code"] == "not_revealed"
    # nothing else in the API answers with scores
    for url in (OUTCOMES, EVALUATIONS, DISPUTES, RUBRICS):
        assert '"value"' not in lead.get(url).content.decode(), url


def test_before_the_reveal_a_reviewer_sees_its_own_scores(api_login, half_scored, buyer_reviewer):
    seen = scores_seen(api_login(buyer_reviewer), session=half_scored.pk)
    assert len(seen) == 8
    assert {(s["user"], s["side"]) for s in seen} == {(buyer_reviewer.pk, "buyer")}


def test_before_the_reveal_the_facilitator_and_tokens_see_no_score(
    api_login, half_scored, buyer_pm, world
):
    session = half_scored
    clients = {
        "facilitator": api_login(buyer_pm),
        "token": token_for(buyer_pm)[1],
        "partner token": token_for(buyer_pm, partner=world.harbor)[1],
    }
    for who, client in clients.items():
        assert scores_seen(client, session=session.pk) == [], who
        for item in item_ids(session):
            assert scores_seen(client, item=item) == [], who
        assert client.get(f"{SESSIONS}{session.pk}/").json()["agreement"] is None, who
        response = client.get(f"{SESSIONS}{session.pk}/disagreements/")
        assert response.status_code == 400, who


def test_after_the_reveal_everyone_sees_every_score(
    api_login, session, buyer_pm, buyer_reviewer, partner_lead, partner_viewer, world
):
    reveal(session, buyer_reviewer, partner_lead)
    clients = {
        "facilitator": api_login(buyer_pm),
        "buyer reviewer": api_login(buyer_reviewer),
        "partner lead": api_login(partner_lead),
        "partner viewer": api_login(partner_viewer),
        "token": token_for(buyer_pm)[1],
        "partner token": token_for(buyer_pm, partner=world.harbor)[1],
    }
    for who, client in clients.items():
        seen = scores_seen(client, session=session.pk)
        assert len(seen) == 16, who
        assert {s["side"] for s in seen} == {"buyer", "partner"}, who
        assert client.get(f"{SESSIONS}{session.pk}/").json()["agreement"] == "0.700000", who
    # an N/A reads as null
    empathy = criterion_ids(session)[2]
    first = item_ids(session)[0]
    na = scores_seen(api_login(buyer_reviewer), item=first, criterion=empathy)
    assert sorted((s["side"], s["value"]) for s in na) == [
        ("buyer", "3.00"),
        ("partner", None),
    ]


def test_scores_are_read_one_session_at_a_time(api_login, buyer_pm, session):
    response = api_login(buyer_pm).get(SCORES)
    assert response.status_code == 400
    assert error(response)["attr"] == "session"


# BAD INPUT
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "code", "words"),
    [
        ((1, 6, 3, 1), "invalid_score", "'Accuracy': 6.00 is outside its scale (1-5)."),
        ((1, None, 3, 1), "invalid_score", "'Accuracy' must be scored: N/A is not allowed"),
        ((1, "3.5", 3, 1), "invalid_score", "'Accuracy': 3.50 is not a whole step"),
        ((2, 4, 3, 1), "invalid_score", "'Greeting': 2.00 is outside its scale (yes / no)."),
    ],
    ids=["outside-scale", "na-forbidden", "half-step", "yes-no-2"],
)
def test_a_bad_score_is_refused_naming_the_criterion(
    api_login, session, partner_lead, values, code, words
):
    ids = criterion_ids(session)
    response = api_login(partner_lead).post(
        SCORES,
        {"session": session.pk, "item": item_ids(session)[0], "answers": sheet(ids, *values)},
        format="json",
    )
    assert response.status_code == 400
    problem = error(response)
    assert (problem["attr"], problem["code"]) == ("answers", code)
    assert words in problem["detail"]
    assert Score.objects.count() == 0


def test_bad_score_references_are_refused_and_store_nothing(
    api_login, buyer_pm, session, second_session, partner_lead, world
):
    lead = api_login(partner_lead)
    ids = criterion_ids(session)
    good = sheet(ids, *PARTNER_SHEETS[0])
    before = Score.objects.count()
    other_rubric = make_rubric(buyer_pm, name="Voice QA")
    foreign = other_rubric.versions.get().criteria.first().pk
    zanzibar_rubric = make_rubric(_globex_pm(world), name="Globex QA")
    cases = [
        # a criterion of another rubric
        ({"item": item_ids(session)[0], "answers": {str(foreign): "1"}}, "answers",
         f"Criterion {foreign} is not part of Support QA v1."),
        # a criterion of another account's rubric
        ({"item": item_ids(session)[0],
          "answers": {str(zanzibar_rubric.versions.get().criteria.first().pk): "1"}},
         "answers", "is not part of Support QA v1."),
        # not a criterion id at all
        ({"item": item_ids(session)[0], "answers": {"greeting": "1"}}, "answers",
         "'greeting' is not a criterion id."),
        # an interaction of another session
        ({"item": second_session.items.get().pk, "answers": good}, "item",
         "No interaction with id"),
        ({"item": item_ids(session)[0], "answers": {}}, "answers", "may not be empty"),
    ]  # fmt: skip
    for body, attr, words in cases:
        response = lead.post(SCORES, {"session": session.pk, **body}, format="json")
        assert response.status_code == 400, body
        assert error(response)["attr"] == attr, body
        assert words in error(response)["detail"], (body, error(response))
    assert Score.objects.count() == before


def _globex_pm(world):
    user = UserFactory(email="qa@globex.test")
    MembershipFactory(user=user, account=world.other_account, role=Role.PROGRAM_MANAGER)
    return user


def test_only_the_sessions_reviewers_score_it(
    api_login, session, buyer_pm, partner_viewer, other_partner_lead, outsider_pm, world
):
    body = {
        "session": session.pk,
        "item": item_ids(session)[0],
        "answers": sheet(criterion_ids(session), *PARTNER_SHEETS[0]),
    }
    # a program manager who is not a reviewer, and a token
    for client in (api_login(buyer_pm), token_for(buyer_pm)[1]):
        response = client.post(SCORES, body, format="json")
        assert response.status_code == 400
        assert error(response)["code"] == "not_a_reviewer"
        assert error(response)["detail"] == "You are not a reviewer of this session."
    # a partner viewer may not score at all
    response = api_login(partner_viewer).post(SCORES, body, format="json")
    assert response.status_code == 403
    assert "Partner viewer" in error(response)["detail"]
    # another partner's lead or another account cannot even name the session
    for user in (other_partner_lead, outsider_pm):
        response = api_login(user).post(SCORES, body, format="json")
        assert response.status_code == 400
        assert error(response)["attr"] == "session"
        assert error(response)["detail"] == (
            f"No calibration session with id {session.pk} in your account."
        )
    assert Score.objects.count() == 0


def test_scoring_after_the_reveal_is_refused(api_login, session, buyer_reviewer, partner_lead):
    reveal(session, buyer_reviewer, partner_lead)
    before = list(Score.objects.values_list("pk", "value"))
    response = api_login(partner_lead).post(
        SCORES,
        {
            "session": session.pk,
            "item": item_ids(session)[0],
            "answers": sheet(criterion_ids(session), 0, 1, 1, 0),
        },
        format="json",
    )
    assert response.status_code == 400
    assert error(response)["code"] == "revealed"
    assert "can no longer change" in error(response)["detail"]
    assert list(Score.objects.values_list("pk", "value")) == before


def test_submitting_an_incomplete_sheet_is_refused(api_login, half_scored, partner_lead):
    response = api_login(partner_lead).post(f"{SESSIONS}{half_scored.pk}/submit/")
    assert response.status_code == 400
    assert error(response)["code"] == "incomplete"
    assert error(response)["detail"].startswith("4 answer(s) are missing")
    assert SessionReviewer.objects.get(user=partner_lead).submitted_at is None


def test_the_facilitator_closes_scoring_and_missing_reviewers_are_recorded(
    api_login, half_scored, buyer_pm, partner_lead
):
    url = f"{SESSIONS}{half_scored.pk}/close-scoring/"
    assert api_login(partner_lead).post(url).status_code == 403
    response = api_login(buyer_pm).post(url)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "revealed"
    assert [r["user"] for r in body["reviewers"] if r["missing"]] == [partner_lead.pk]
    assert "missing" in body["reveal_reason"]


def test_debrief_writes_before_the_reveal_are_refused(
    api_login, half_scored, buyer_pm, partner_lead
):
    pm = api_login(buyer_pm)
    url = f"{SESSIONS}{half_scored.pk}/"
    first = item_ids(half_scored)[0]
    ids = criterion_ids(half_scored)
    for path, body in (
        ("consensus/", {"item": first, "answers": sheet(ids, 1, 4, 3, 1)}),
        ("no-action/", {"item": first, "criterion": ids[0], "note": "Fine"}),
        ("close/", {}),
    ):
        response = pm.post(f"{url}{path}", body, format="json")
        assert response.status_code == 400, path
        assert error(response)["code"] == "not_revealed", path
    response = pm.post(
        OUTCOMES,
        {"session": half_scored.pk, "kind": "training", "description": "Coach",
         "owner": partner_lead.pk, "due_date": "2026-12-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert error(response)["code"] == "not_revealed"
    assert not ConsensusScore.objects.exists()
    assert not NoActionNote.objects.exists()
    assert not OutcomeItem.objects.exists()


def test_debrief_references_outside_the_session_are_refused(
    api_login, session, second_session, buyer_pm, buyer_reviewer, partner_lead, other_partner_lead
):
    reveal(session, buyer_reviewer, partner_lead)
    pm = api_login(buyer_pm)
    url = f"{SESSIONS}{session.pk}/"
    foreign = make_rubric(buyer_pm, name="Voice QA").versions.get().criteria.first().pk
    first = item_ids(session)[0]
    other_item = second_session.items.get().pk
    cases = [
        ("no-action/", {"item": first, "criterion": foreign, "note": "x"}, "criterion"),
        ("no-action/", {"item": other_item, "criterion": foreign, "note": "x"}, "item"),
        ("consensus/", {"item": other_item, "answers": {str(foreign): "1"}}, "item"),
        ("consensus/", {"item": first, "answers": {str(foreign): "1"}}, "answers"),
    ]
    for path, body, attr in cases:
        response = pm.post(f"{url}{path}", body, format="json")
        assert response.status_code == 400, (path, body)
        assert error(response)["attr"] == attr, (path, error(response))
    outcome = {
        "session": session.pk, "kind": "training", "description": "Coach",
        "due_date": "2026-12-01",
    }  # fmt: skip
    for change, attr in (
        ({"owner": other_partner_lead.pk}, "owner"),  # Quetzal's lead on Harbor's session
        ({"owner": buyer_pm.pk, "item": other_item}, "item"),
        ({"owner": buyer_pm.pk, "criterion": foreign}, "criterion"),
        ({"owner": buyer_pm.pk, "kind": "party"}, "kind"),
    ):
        response = pm.post(OUTCOMES, {**outcome, **change})
        assert response.status_code == 400, change
        assert error(response)["attr"] == attr, (change, error(response))
    assert not NoActionNote.objects.exists()
    assert not ConsensusScore.objects.exists()
    assert not OutcomeItem.objects.exists()


def test_only_program_managers_run_sessions(
    api_login, session, buyer_reviewer, partner_lead, buyer_pm, world
):
    url = f"{SESSIONS}{session.pk}/"
    writes = [
        (SESSIONS, {"partner": world.harbor.pk, "rubric": session.version.rubric_id,
                    "due_date": "2026-12-01", "reason": "Dip"}),
        (f"{url}draw/", {}),
        (f"{url}items/", {"external_id": "T-9", "channel": "chat"}),
        (f"{url}reviewers/", {"user": buyer_pm.pk}),
        (f"{url}close-scoring/", {}),
        (f"{url}close/", {}),
        (f"{url}no-action/", {}),
        (f"{url}consensus/", {}),
    ]  # fmt: skip
    for user in (buyer_reviewer, partner_lead):
        for path, body in writes:
            response = api_login(user).post(path, body, format="json")
            assert response.status_code == 403, (user, path)
            assert error(response)["code"] == "permission_denied"
    _, read_only = token_for(buyer_pm, read_only=True)
    assert read_only.post(f"{url}close-scoring/").status_code == 403
    assert CalibrationSession.objects.count() == 1
    assert SessionItem.objects.count() == 2


def test_reviewers_are_people_of_the_account_who_score(
    api_login, session, buyer_pm, partner_viewer, other_partner_lead, outsider_pm
):
    pm = api_login(buyer_pm)
    url = f"{SESSIONS}{session.pk}/reviewers/"
    response = pm.post(url, {"user": buyer_pm.pk})
    assert response.status_code == 201, response.json()
    assert (response.json()["side"], response.json()["name"]) == ("buyer", buyer_pm.display_name)
    assert pm.post(url, {"user": buyer_pm.pk}).status_code == 200
    response = pm.post(url, {"user": partner_viewer.pk})
    assert "is not a QA reviewer, QA lead or program manager" in error(response)["detail"]
    response = pm.post(url, {"user": other_partner_lead.pk})
    assert "cannot review Harbor Support's interactions" in error(response)["detail"]
    # someone of another account reads exactly like nobody
    answers_ = []
    for user_id in (outsider_pm.pk, 999_999):
        response = pm.post(url, {"user": user_id})
        assert response.status_code == 400
        assert error(response)["attr"] == "user"
        assert outsider_pm.email not in response.content.decode()
        answers_.append(error(response)["detail"].replace(str(user_id), "N"))
    assert len(set(answers_)) == 1
    assert session.reviewers.count() == 3


def test_keel_draws_the_interactions_from_the_period(api_login, world, buyer_pm, rubric):
    pm = api_login(buyer_pm)
    response = pm.post(
        SESSIONS,
        {"partner": world.harbor.pk, "rubric": rubric.pk, "due_date": "2026-11-20",
         "reason": "New interaction type"},
    )  # fmt: skip
    url = f"{SESSIONS}{response.json()['id']}/"
    response = pm.post(f"{url}draw/", {"size": 5})
    assert response.status_code == 400
    assert error(response)["code"] == "nothing_to_draw"
    kind = InteractionType.objects.create(account=world.account, code="billing", name="Billing")
    for n in range(8):
        Interaction.objects.create(
            partner=world.harbor, agent=world.harbor_agent, channel="chat",
            interaction_type=kind, external_id=f"HB-{n}",
            opened_at=datetime(2026, 11, 1 + n, 10, tzinfo=UTC), csat=2 if n else 5,
        )  # fmt: skip
    response = pm.post(f"{url}draw/", {"size": 11})
    assert (response.status_code, error(response)["attr"]) == (400, "size")
    response = pm.post(f"{url}draw/", {"size": 5})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "scoring"
    assert len(body["items"]) == 5
    assert {i["interaction_type"] for i in body["items"]} == {"Billing"}
    assert not any(i["added_by_hand"] for i in body["items"])


def test_sessions_filter_by_partner_status_and_due_date(
    api_login, world, buyer_pm, rubric, session, partner_lead
):
    quetzal = make_session(buyer_pm, world.pacific, rubric, [], items=0, due=date(2026, 12, 20))
    pm = api_login(buyer_pm)

    def ids(**params) -> list[int]:
        response = pm.get(SESSIONS, params)
        assert response.status_code == 200, response.json()
        return [s["id"] for s in response.json()["results"]]

    assert ids() == [quetzal.pk, session.pk]
    assert ids(partner=world.harbor.pk) == [session.pk]
    assert ids(status="planned") == [quetzal.pk]
    assert ids(due_after="2026-12-01") == [quetzal.pk]
    assert ids(due_before="2026-12-01") == [session.pk]
    assert pm.get(SESSIONS, {"partner": world.zanzibar.pk}).status_code == 400
    lead = api_login(partner_lead)
    assert [s["id"] for s in lead.get(SESSIONS).json()["results"]] == [session.pk]
    assert lead.get(SESSIONS, {"partner": world.pacific.pk}).status_code == 400


# RUBRICS
# ------------------------------------------------------------------------------


def test_a_rubric_in_use_changes_into_a_new_version(
    api_login, buyer_pm, buyer_reviewer, partner_lead, world
):
    reviewer = api_login(buyer_reviewer)
    response = reviewer.post(RUBRICS, {"name": "Email QA", "criteria": CRITERIA_JSON[:2]})
    assert response.status_code == 201, response.json()
    url = f"{RUBRICS}{response.json()['id']}/"
    assert response.json()["channel"] == ""
    # unused: changed in place
    response = reviewer.put(url, {"criteria": CRITERIA_JSON[:3]}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["version"], response.json()["versions"]) == (1, 1)
    assert len(response.json()["criteria"]) == 3
    # used by a session: the change is version 2, version 1 stays as it was
    rubric = Rubric.objects.get(name="Email QA")
    make_session(buyer_pm, world.harbor, rubric, [(partner_lead, "partner")], items=0)
    response = reviewer.put(url, {"criteria": CRITERIA_JSON}, format="json")
    assert (response.json()["version"], response.json()["versions"]) == (2, 2)
    assert len(response.json()["criteria"]) == 4
    old = api_login(partner_lead).get(url, {"version": 1}).json()
    assert (old["version"], len(old["criteria"])) == (1, 3)
    assert api_login(partner_lead).get(url, {"version": 7}).status_code == 404
    assert [r["name"] for r in api_login(partner_lead).get(RUBRICS).json()["results"]] == [
        "Email QA"
    ]


@pytest.mark.parametrize(
    ("change", "attr", "words"),
    [
        ({"criteria": []}, "criteria", "A rubric needs at least one criterion."),
        (
            {"criteria": [{**CRITERIA_JSON[1], "critical": True}]},
            "criteria",
            "'Accuracy': a critical criterion is scored yes / no.",
        ),
        (
            {"criteria": [CRITERIA_JSON[0], CRITERIA_JSON[0]]},
            "criteria",
            "Two criteria are called 'greeting'.",
        ),
        ({"criteria": [{**CRITERIA_JSON[0], "scale": "1-10"}]}, "criteria.0.scale", "valid"),
        ({"criteria": [{**CRITERIA_JSON[0], "weight": "lots"}]}, "criteria.0.weight", "number"),
        ({"name": "Support QA"}, "name", "There is already a rubric called 'Support QA'."),
        ({"channel": "fax"}, "channel", "valid choice"),
    ],
)
def test_a_rubric_with_a_problem_is_refused(api_login, buyer_pm, rubric, change, attr, words):
    body = {"name": "Chat QA", "channel": "chat", "criteria": CRITERIA_JSON, **change}
    response = api_login(buyer_pm).post(RUBRICS, body, format="json")
    assert response.status_code == 400
    assert error(response)["attr"] == attr
    assert words in error(response)["detail"]
    assert Rubric.objects.count() == 1
    assert RubricVersion.objects.count() == 1


def test_partner_users_and_executives_cannot_write_rubrics(
    api_login, rubric, partner_lead, buyer_exec
):
    for user in (partner_lead, buyer_exec):
        client = api_login(user)
        body = {"name": "Mine", "criteria": CRITERIA_JSON}
        assert client.post(RUBRICS, body, format="json").status_code == 403
        assert client.put(f"{RUBRICS}{rubric.pk}/", body, format="json").status_code == 403
    assert Rubric.objects.count() == 1
    assert rubric.versions.count() == 1


# TENANCY
# ------------------------------------------------------------------------------


@pytest.fixture
def everything(api_login, session, buyer_pm, buyer_reviewer, partner_lead, world):
    """Harbor's revealed session with an outcome, a buyer evaluation and a dispute on it."""
    reveal(session, buyer_reviewer, partner_lead)
    outcome = services.outcome_add(
        viewer=viewer_of(buyer_pm), session=session, kind="training", description="Coach",
        owner=partner_lead, due_date=date(2026, 12, 1),
    )  # fmt: skip
    evaluation = _evaluation(buyer_reviewer, world.harbor_agent, session.version.rubric)
    dispute = services.dispute_raise(
        viewer=viewer_of(partner_lead), evaluation=evaluation,
        criterion_id=evaluation.answers.get(criterion__name="Accuracy").criterion_id,
        proposed_value=Decimal(4), reason="The refund policy allows it",
    )  # fmt: skip
    return {"outcome": outcome, "evaluation": evaluation, "dispute": dispute}


def _evaluation(user, agent, rubric, values=(1, 2, 3, 1), **kwargs) -> QaEvaluation:
    version = rubric.versions.order_by("-number").first()
    criteria = list(version.criteria.order_by("position"))
    return services.evaluation_save(
        viewer=viewer_of(user), agent=agent, version=version, external_id="HB-42",
        channel="chat", values={c.pk: (None if v is None else Decimal(v))
                                for c, v in zip(criteria, values, strict=True)},
        **kwargs,
    )  # fmt: skip


@pytest.mark.parametrize("who", ["other_partner_lead", "outsider_pm"])
def test_another_tenant_gets_404_for_everything_of_harbor(
    request, api_login, session, everything, who
):
    client = api_login(request.getfixturevalue(who))
    outcome, evaluation, dispute = everything.values()
    item = item_ids(session)[0]
    reads = [
        f"{SESSIONS}{session.pk}/",
        f"{SESSIONS}{session.pk}/consensus/",
        f"{SESSIONS}{session.pk}/disagreements/",
        f"{SCORES}?session={session.pk}",
        f"{SCORES}?item={item}",
        f"{OUTCOMES}{outcome.pk}/",
        f"{EVALUATIONS}{evaluation.pk}/",
        f"{DISPUTES}{dispute.pk}/",
    ]
    for url in reads:
        response = client.get(url)
        assert response.status_code == 404, url
        assert error(response)["code"] == "not_found"
    writes = [
        ("post", f"{SESSIONS}{session.pk}/submit/", {}),
        ("post", f"{SESSIONS}{session.pk}/close/", {}),
        ("patch", f"{OUTCOMES}{outcome.pk}/", {"status": "done"}),
        ("post", f"{DISPUTES}{dispute.pk}/resolve/", {"accept": True}),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (403, 404), url
    for url in (SESSIONS, OUTCOMES, EVALUATIONS, DISPUTES):
        assert client.get(url).json()["count"] == 0, url
    assert "Harbor" not in client.get(SESSIONS).content.decode()
    dispute.refresh_from_db()
    outcome.refresh_from_db()
    assert (dispute.status, outcome.status) == ("open", "open")


def test_another_tenants_references_are_refused_without_naming_them(
    api_login, buyer_pm, outsider_pm, session, everything, world
):
    outsider = api_login(outsider_pm)
    response = outsider.post(
        EVALUATIONS,
        {"agent": world.harbor_agent.pk, "rubric": session.version.rubric_id,
         "external_id": "X", "channel": "chat", "answers": {"1": "1"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"agent", "rubric"}
    response = outsider.post(
        SESSIONS,
        {"partner": world.harbor.pk, "rubric": session.version.rubric_id,
         "due_date": "2026-12-01", "reason": "Mine"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Harbor" not in response.content.decode()
    assert CalibrationSession.objects.count() == 1


# QA EVALUATIONS AND DISPUTES
# ------------------------------------------------------------------------------


def test_qa_evaluations_are_scored_and_listed(
    api_login, buyer_reviewer, partner_lead, rubric, world
):
    response = api_login(buyer_reviewer).post(
        EVALUATIONS,
        {
            "agent": world.harbor_agent.pk,
            "rubric": rubric.pk,
            "external_id": "HB-1",
            "channel": "chat",
            "answers": sheet(
                list(rubric.versions.get().criteria.values_list("pk", flat=True)), 1, 5, None, 1
            ),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    # 1 + 4 + 3 points of 8 applicable (empathy N/A): 100
    assert (body["side"], body["score"], body["critical_failed"]) == ("buyer", "100.000", "")
    assert body["evaluator_label"] == buyer_reviewer.display_name
    assert [(a["criterion_name"], a["value"]) for a in body["answers"]] == [
        ("Greeting", "1.00"),
        ("Accuracy", "5.00"),
        ("Empathy", None),
        ("Verified identity", "1.00"),
    ]
    # a missed critical criterion fails the interaction; the partner's lead records its own
    version = rubric.versions.get()
    response = api_login(partner_lead).post(
        EVALUATIONS,
        {
            "agent": world.harbor_agent.pk,
            "version": version.pk,
            "external_id": "HB-2",
            "channel": "chat",
            "answers": sheet(list(version.criteria.values_list("pk", flat=True)), 1, 5, 5, 0),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["side"], response.json()["score"]) == ("partner", "0.000")
    assert response.json()["critical_failed"] == "Verified identity"
    lead = api_login(partner_lead)
    assert lead.get(EVALUATIONS, {"side": "partner"}).json()["count"] == 1
    assert lead.get(EVALUATIONS, {"agent": world.harbor_agent.pk}).json()["count"] == 2
    today = clock.today().isoformat()
    assert lead.get(EVALUATIONS, {"scored_after": today}).json()["count"] == 2
    assert lead.get(EVALUATIONS, {"scored_before": "2020-01-01"}).json()["count"] == 0
    assert lead.get(EVALUATIONS, {"agent": world.pacific_agent.pk}).status_code == 400


def test_qa_evaluation_problems_are_refused(
    api_login, buyer_reviewer, partner_lead, partner_viewer, rubric, world
):
    ids = list(rubric.versions.get().criteria.values_list("pk", flat=True))
    body = {
        "agent": world.harbor_agent.pk,
        "rubric": rubric.pk,
        "external_id": "HB-1",
        "channel": "chat",
        "answers": sheet(ids, 1, 5, 5, 1),
    }
    cases = [
        (buyer_reviewer, {"answers": sheet(ids[:3], 1, 5, 5)}, "answers",
         "Score every criterion: Verified identity."),
        (buyer_reviewer, {"version": rubric.versions.get().pk}, "rubric", "Name either"),
        (partner_lead, {"agent": world.pacific_agent.pk}, "agent", "No agent with id"),
        (buyer_reviewer, {"channel": "fax"}, "channel", "valid choice"),
    ]  # fmt: skip
    for user, change, attr, words in cases:
        response = api_login(user).post(EVALUATIONS, {**body, **change}, format="json")
        assert response.status_code == 400, change
        assert error(response)["attr"] == attr, error(response)
        assert words in error(response)["detail"]
    assert api_login(partner_viewer).post(EVALUATIONS, body, format="json").status_code == 403
    assert not QaEvaluation.objects.exists()


def test_a_partner_lead_disputes_a_buyer_evaluation_and_the_buyer_accepts(
    api_login, buyer_reviewer, partner_lead, rubric, world
):
    evaluation = _evaluation(buyer_reviewer, world.harbor_agent, rubric, (1, 2, 3, 1))
    accuracy = evaluation.answers.get(criterion__name="Accuracy").criterion_id
    before = evaluation.score
    lead = api_login(partner_lead)
    response = lead.post(
        DISPUTES,
        {"evaluation": evaluation.pk, "criterion": accuracy, "proposed_value": "4",
         "reason": "The refund policy allows a goodwill credit here"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    dispute = response.json()
    assert (dispute["status"], dispute["value_before"], dispute["proposed_value"]) == (
        "open",
        "2.00",
        "4.00",
    )
    assert (dispute["criterion_name"], dispute["partner"]) == ("Accuracy", world.harbor.pk)
    # the lead cannot resolve its own dispute; a QA reviewer accepts it
    url = f"{DISPUTES}{dispute['id']}/resolve/"
    assert lead.post(url, {"accept": True}).status_code == 403
    response = api_login(buyer_reviewer).post(url, {"accept": True, "note": "Agreed"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    assert response.json()["resolved_by_label"] == buyer_reviewer.display_name
    scored = lead.get(f"{EVALUATIONS}{evaluation.pk}/").json()
    assert Decimal(scored["score"]) > before
    assert next(a for a in scored["answers"] if a["criterion"] == accuracy)["value"] == "4.00"
    # resolved once only
    response = api_login(buyer_reviewer).post(url, {"accept": False, "note": "No"})
    assert (response.status_code, error(response)["code"]) == (400, "resolved")
    assert lead.get(DISPUTES, {"status": "accepted"}).json()["count"] == 1


def test_rejecting_a_dispute_needs_a_note(api_login, buyer_pm, partner_lead, rubric, world):
    evaluation = _evaluation(buyer_pm, world.harbor_agent, rubric, (1, 2, 3, 1))
    greeting = evaluation.answers.get(criterion__name="Greeting").criterion_id
    response = api_login(partner_lead).post(
        DISPUTES,
        {"evaluation": evaluation.pk, "criterion": greeting, "proposed_value": "0",
         "reason": "The agent did not greet"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    url = f"{DISPUTES}{response.json()['id']}/resolve/"
    response = api_login(buyer_pm).post(url, {"accept": False})
    assert response.status_code == 400
    assert (error(response)["attr"], error(response)["detail"]) == (
        "note",
        "Say why the dispute is rejected.",
    )
    assert Dispute.objects.get().status == "open"
    response = api_login(buyer_pm).post(url, {"accept": False, "note": "The greeting is there"})
    assert response.json()["status"] == "rejected"
    evaluation.refresh_from_db()
    assert evaluation.answers.get(criterion_id=greeting).value == 1


def test_disputes_out_of_the_window_or_on_the_partners_own_evaluations_are_refused(
    api_login, buyer_reviewer, partner_lead, rubric, world
):
    late = _evaluation(
        buyer_reviewer, world.harbor_agent, rubric,
        scored_at=clock.now() - timedelta(days=8),
    )  # fmt: skip
    own = _evaluation(partner_lead, world.harbor_agent, rubric)
    lead = api_login(partner_lead)
    accuracy = late.answers.get(criterion__name="Accuracy").criterion_id
    body = {"criterion": accuracy, "proposed_value": "4", "reason": "Policy"}
    response = lead.post(DISPUTES, {"evaluation": late.pk, **body}, format="json")
    assert response.status_code == 400
    assert error(response)["code"] == "window_closed"
    assert "The dispute window of 7 days closed on" in error(response)["detail"]
    response = lead.post(DISPUTES, {"evaluation": own.pk, **body}, format="json")
    assert response.status_code == 400
    assert (error(response)["attr"], error(response)["detail"]) == (
        "evaluation",
        "Only the buyer's evaluations can be disputed.",
    )
    # a buyer cannot raise disputes; a criterion outside the evaluation is refused
    fresh = _evaluation(buyer_reviewer, world.harbor_agent, rubric)
    response = api_login(buyer_reviewer).post(
        DISPUTES, {"evaluation": fresh.pk, **body}, format="json"
    )
    assert response.status_code == 403
    response = lead.post(
        DISPUTES, {"evaluation": fresh.pk, **body, "criterion": 999_999}, format="json"
    )
    assert (error(response)["attr"], error(response)["detail"]) == (
        "criterion",
        "Criterion 999999 is not part of this evaluation.",
    )
    assert not Dispute.objects.exists()


def test_another_partners_evaluations_cannot_be_disputed(
    api_login, buyer_reviewer, other_partner_lead, rubric, world
):
    evaluation = _evaluation(buyer_reviewer, world.harbor_agent, rubric)
    response = api_login(other_partner_lead).post(
        DISPUTES,
        {"evaluation": evaluation.pk, "criterion": evaluation.answers.first().criterion_id,
         "proposed_value": "0", "reason": "x"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert error(response)["attr"] == "evaluation"
    assert "Harbor" not in response.content.decode()
    assert not Dispute.objects.exists()


# OUTCOME ITEMS
# ------------------------------------------------------------------------------


def test_only_the_owner_or_a_program_manager_updates_an_outcome(
    api_login, everything, buyer_pm, buyer_reviewer, partner_lead, partner_viewer
):
    outcome = everything["outcome"]
    url = f"{OUTCOMES}{outcome.pk}/"
    for user in (buyer_reviewer, partner_viewer):
        response = api_login(user).patch(url, {"status": "done"}, format="json")
        assert response.status_code == 400
        assert error(response)["code"] == "permission_denied"
    response = api_login(partner_lead).patch(url, {"status": "done"}, format="json")
    assert response.status_code == 200
    response = api_login(buyer_pm).patch(url, {"status": "open"}, format="json")
    assert (response.json()["status"], response.json()["done_at"]) == ("open", None)
    response = api_login(buyer_pm).patch(url, {"status": "later"}, format="json")
    assert (response.status_code, error(response)["attr"]) == (400, "status")
    assert api_login(buyer_pm).put(url, {"status": "done"}, format="json").status_code == 405


def test_outcome_items_filter(api_login, everything, session, buyer_pm, partner_lead, world):
    pm = api_login(buyer_pm)
    assert pm.get(OUTCOMES, {"session": session.pk}).json()["count"] == 1
    assert pm.get(OUTCOMES, {"partner": world.pacific.pk}).json()["count"] == 0
    assert pm.get(OUTCOMES, {"owner": partner_lead.pk}).json()["count"] == 1
    assert pm.get(OUTCOMES, {"owner": buyer_pm.pk}).json()["count"] == 0
    assert pm.get(OUTCOMES, {"status": "done"}).json()["count"] == 0
    assert pm.get(OUTCOMES, {"partner": world.zanzibar.pk}).status_code == 400


# QUERY COUNTS
# ------------------------------------------------------------------------------


def _queries(client, url: str, expected: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] == expected
    return len(queries)


def test_session_list_queries_do_not_grow_with_sessions(
    api_login, world, buyer_pm, buyer_reviewer, partner_lead, rubric
):
    people = [(buyer_reviewer, "buyer"), (partner_lead, "partner")]
    for n in range(2):
        make_session(buyer_pm, world.harbor, rubric, people, due=date(2026, 11, 1 + n))
    client = api_login(buyer_pm)
    few = _queries(client, SESSIONS, 2)
    for n in range(6):
        make_session(buyer_pm, world.harbor, rubric, people, items=3, due=date(2026, 12, 1 + n))
    assert _queries(client, SESSIONS, 8) == few


def test_evaluation_list_queries_do_not_grow_with_evaluations(
    api_login, buyer_reviewer, partner_lead, rubric, world
):
    for _ in range(2):
        _evaluation(buyer_reviewer, world.harbor_agent, rubric)
    client = api_login(partner_lead)
    few = _queries(client, EVALUATIONS, 2)
    for _ in range(6):
        _evaluation(partner_lead, world.harbor_agent, rubric)
    assert _queries(client, EVALUATIONS, 8) == few


def test_rubric_list_queries_do_not_grow_with_rubrics(api_login, buyer_pm):
    make_rubric(buyer_pm, name="First")
    client = api_login(buyer_pm)
    few = _queries(client, RUBRICS, 1)
    for n in range(4):
        make_rubric(buyer_pm, name=f"More {n}", criteria=CRITERIA[: n + 1])
    assert _queries(client, RUBRICS, 5) == few
