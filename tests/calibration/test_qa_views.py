"""Pages for QA rubrics, QA evaluations and their disputes, and a partner's calibration
settings: what each shows, who may write, and that a refused write leaves nothing behind."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calibration import services
from calibration.models import (
    Dispute,
    DisputeStatus,
    PartnerCalibration,
    QaEvaluation,
    Rubric,
    RubricVersion,
)
from core import clock
from tests.factories.calibration import make_rubric, make_session, viewer_of
from tests.factories.partners import AgentFactory

D = Decimal


def text(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def rubric(buyer_pm) -> Rubric:
    """Support QA: Greeting (1 point, yes/no), Accuracy (4, 1-5), Empathy (2, 1-5, N/A
    allowed), Verified identity (3, yes/no, critical)."""
    return make_rubric(buyer_pm)


def criteria_of(rubric: Rubric):
    return list(services.latest_version(rubric).criteria.order_by("position"))


def evaluate(user, rubric, agent, *values, external_id="T-100", scored_at=None) -> QaEvaluation:
    """An evaluation saved through the service (None: N/A)."""
    return services.evaluation_save(
        viewer=viewer_of(user),
        agent=agent,
        version=services.latest_version(rubric),
        external_id=external_id,
        channel="chat",
        values={
            c.pk: None if v is None else D(v)
            for c, v in zip(criteria_of(rubric), values, strict=True)
        },
        scored_at=scored_at,
    )


def evaluation_post(rubric, agent, *values, external_id="T-100", channel="chat") -> dict:
    """The evaluation page's POST: one value per criterion in the rubric's order."""
    version = services.latest_version(rubric)
    data = {
        "rubric": rubric.pk,
        "version": version.pk,
        "agent": agent.pk,
        "channel": channel,
        "external_id": external_id,
    }
    for c, v in zip(criteria_of(rubric), values, strict=True):
        data[f"c{c.pk}"] = v
    return data


def rubric_post(rows, *, name="Chat QA", channel="chat", initial=0) -> dict:
    """The criteria editor's POST: rows of (section, name, weight, scale, N/A, critical)."""
    data: dict[str, object] = {
        "name": name,
        "channel": channel,
        "criteria-TOTAL_FORMS": len(rows),
        "criteria-INITIAL_FORMS": initial,
        "criteria-MIN_NUM_FORMS": 0,
        "criteria-MAX_NUM_FORMS": 1000,
    }
    for i, (section, criterion, weight, scale, na, critical) in enumerate(rows):
        data.update(
            {
                f"criteria-{i}-section": section,
                f"criteria-{i}-name": criterion,
                f"criteria-{i}-guidance": f"What {criterion.lower()} looks like.",
                f"criteria-{i}-weight": weight,
                f"criteria-{i}-scale": scale,
            }
        )
        if na:
            data[f"criteria-{i}-na_allowed"] = "on"
        if critical:
            data[f"criteria-{i}-critical"] = "on"
    return data


FOUR = [
    ("Opening", "Greeting", "1", "yes_no", False, False),
    ("Resolution", "Accuracy", "4", "one_to_five", False, False),
    ("Resolution", "Empathy", "2", "one_to_five", True, False),
    ("Compliance", "Verified identity", "3", "yes_no", False, True),
]


def test_pages_live_under_calibration():
    assert reverse("calibration:rubric-list") == "/calibration/rubrics/"
    assert reverse("calibration:evaluation-list") == "/calibration/evaluations/"
    assert reverse("calibration:dispute-resolve", args=[3]) == "/calibration/disputes/3/resolve/"
    assert reverse("calibration:partner-settings", args=[2]) == "/calibration/partners/2/settings/"


# RUBRICS
# ------------------------------------------------------------------------------


def test_rubric_list_shows_channel_latest_version_criteria_and_use(
    login, buyer_pm, buyer_reviewer, world, rubric
):
    evaluate(buyer_reviewer, rubric, world.harbor_agent, 1, 4, 3, 1)
    make_rubric(buyer_pm, name="Email QA")
    page = text(login(buyer_pm).get(reverse("calibration:rubric-list")))
    assert "Support QA" in page
    assert "Email QA" in page
    assert "Every channel" in page
    assert "v1" in page
    assert "in use" in page
    assert "0 sessions, 1 evaluation" in page
    assert "not yet: edits change it in place" in page  # Email QA
    assert "New rubric" in page


def test_qa_reviewer_sees_new_rubric_and_partner_users_only_read(
    login, buyer_reviewer, partner_lead, buyer_exec, rubric
):
    assert "New rubric" in text(login(buyer_reviewer).get(reverse("calibration:rubric-list")))
    for user in (partner_lead, buyer_exec):
        page = text(login(user).get(reverse("calibration:rubric-list")))
        assert "Support QA" in page
        assert "New rubric" not in page


def test_another_account_neither_lists_nor_opens_the_rubric(login, outsider_pm, rubric):
    client = login(outsider_pm)
    assert "Support QA" not in text(client.get(reverse("calibration:rubric-list")))
    assert client.get(reverse("calibration:rubric-detail", args=[rubric.pk])).status_code == 404
    assert client.get(reverse("calibration:rubric-update", args=[rubric.pk])).status_code == 404
    response = client.post(
        reverse("calibration:rubric-update", args=[rubric.pk]), rubric_post(FOUR, initial=4)
    )
    assert response.status_code == 404
    assert rubric.versions.get().criteria.count() == 4


def test_qa_reviewer_creates_a_rubric_with_four_criteria(login, buyer_reviewer, world):
    client = login(buyer_reviewer)
    page = text(client.get(reverse("calibration:rubric-create")))
    assert "Add a criterion" in page
    assert "criteria-__prefix__-name" in page  # the row template the editor copies
    assert 'name="criteria-3-name"' in page  # four blank rows without JavaScript
    assert 'name="criteria-4-name"' not in page

    response = client.post(reverse("calibration:rubric-create"), rubric_post(FOUR))

    rubric = Rubric.objects.get(name="Chat QA")
    assert response.status_code == 302
    assert response.url == reverse("calibration:rubric-detail", args=[rubric.pk])
    assert rubric.channel == "chat"
    assert rubric.account == world.account
    version = rubric.versions.get()
    assert version.number == 1
    criteria = list(version.criteria.order_by("position"))
    assert [c.name for c in criteria] == ["Greeting", "Accuracy", "Empathy", "Verified identity"]
    assert [c.weight for c in criteria] == [D(1), D(4), D(2), D(3)]
    assert criteria[2].na_allowed
    assert not criteria[2].critical
    assert criteria[3].critical
    assert criteria[3].scale == "yes_no"
    assert criteria[1].guidance == "What accuracy looks like."
    assert "Created the rubric Chat QA with 4 criteria." in messages_of(response)

    detail = text(client.get(response.url))
    assert "Compliance" in detail
    assert "Verified identity" in detail
    assert "10 points in all" in detail
    assert "critical" in detail
    assert "N/A allowed" in detail


def test_blank_and_removed_rows_are_ignored(login, buyer_pm):
    rows = [*FOUR, ("Closing", "Farewell", "1", "yes_no", False, False)]
    data = rubric_post(rows)
    data["criteria-TOTAL_FORMS"] = 6  # a sixth row left blank
    data["criteria-4-DELETE"] = "on"
    login(buyer_pm).post(reverse("calibration:rubric-create"), data)
    names = Rubric.objects.get().versions.get().criteria.values_list("name", flat=True)
    assert list(names) == ["Greeting", "Accuracy", "Empathy", "Verified identity"]


def test_an_invalid_rubric_shows_every_problem_and_saves_nothing(login, buyer_pm):
    rows = [
        ("Opening", "Greeting", "0", "yes_no", False, False),
        ("Resolution", "Accuracy", "4", "one_to_five", False, True),
        ("Resolution", "accuracy", "2", "one_to_five", False, False),
    ]
    response = login(buyer_pm).post(reverse("calibration:rubric-create"), rubric_post(rows))
    page = text(response)
    assert response.status_code == 200
    assert "'Greeting': the weight (its maximum points) must be above 0." in page
    assert "'Accuracy': a critical criterion is scored yes / no." in page
    assert "Two criteria are called 'accuracy'." in page
    assert 'value="accuracy"' in page  # what was typed stays on the form
    assert not Rubric.objects.exists()
    assert not RubricVersion.objects.exists()


def test_a_rubric_needs_a_unique_name(login, buyer_pm, rubric):
    response = login(buyer_pm).post(
        reverse("calibration:rubric-create"), rubric_post(FOUR, name="support qa")
    )
    assert "There is already a rubric called 'support qa'." in text(response)
    assert Rubric.objects.count() == 1


def test_partner_users_and_executives_cannot_write_rubrics(
    login, partner_lead, partner_viewer, buyer_exec, rubric
):
    for user in (partner_lead, partner_viewer, buyer_exec):
        client = login(user)
        assert client.get(reverse("calibration:rubric-create")).status_code == 403
        assert (
            client.post(reverse("calibration:rubric-create"), rubric_post(FOUR)).status_code == 403
        )
        url = reverse("calibration:rubric-update", args=[rubric.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, rubric_post(FOUR, initial=4)).status_code == 403
    assert Rubric.objects.count() == 1
    assert rubric.versions.count() == 1


def test_editing_a_rubric_in_use_saves_version_2_and_the_session_keeps_version_1(
    login, buyer_pm, buyer_reviewer, partner_lead, world, rubric
):
    # given a session started on version 1
    session = make_session(
        buyer_pm, world.harbor, rubric, [(buyer_reviewer, "buyer"), (partner_lead, "partner")]
    )
    client = login(buyer_pm)
    url = reverse("calibration:rubric-update", args=[rubric.pk])
    page = text(client.get(url))
    assert "your changes are saved as version 2; sessions keep the version they started with" in (
        page
    )
    assert 'value="Verified identity"' in page  # the current criteria, ready to edit

    # when a criterion is added
    rows = [*FOUR, ("Closing", "Farewell", "1", "yes_no", False, False)]
    response = client.post(url, rubric_post(rows, initial=4))

    # then
    assert response.status_code == 302
    assert "Saved as version 2; sessions keep the version they started with." in messages_of(
        response
    )
    assert sorted(rubric.versions.values_list("number", flat=True)) == [1, 2]
    assert services.latest_version(rubric).criteria.count() == 5
    session.refresh_from_db()
    assert session.version.number == 1
    assert session.version.criteria.count() == 4

    latest = text(client.get(reverse("calibration:rubric-detail", args=[rubric.pk])))
    assert "Farewell" in latest
    assert "v2" in latest
    assert "1 session, 0 evaluations" in latest  # version 1's use, in the version list
    earlier = text(
        client.get(reverse("calibration:rubric-detail", args=[rubric.pk]) + "?version=1")
    )
    assert "an earlier version" in earlier
    assert "Farewell" not in earlier
    assert "Harbor Support, due 20 Nov 2026" in earlier


def test_editing_a_version_nobody_uses_changes_it_in_place(login, buyer_pm, rubric):
    client = login(buyer_pm)
    url = reverse("calibration:rubric-update", args=[rubric.pk])
    assert "your changes replace it" in text(client.get(url))
    rows = [("Opening", "Greeting", "2", "yes_no", False, False), *FOUR[1:]]
    response = client.post(url, rubric_post(rows, initial=4))
    assert "Saved version 1 of Support QA." in messages_of(response)
    version = rubric.versions.get()
    assert version.number == 1
    assert version.criteria.get(name="Greeting").weight == D(2)


def test_rubric_detail_refuses_a_version_it_does_not_have(login, buyer_pm, rubric):
    url = reverse("calibration:rubric-detail", args=[rubric.pk])
    assert login(buyer_pm).get(url + "?version=9").status_code == 404


# QA EVALUATIONS
# ------------------------------------------------------------------------------


def test_evaluation_page_shows_the_rubrics_criteria_by_section(login, buyer_reviewer, rubric):
    response = login(buyer_reviewer).get(reverse("calibration:evaluation-create"))
    page = text(response)
    assert response.status_code == 200
    assert "Support QA v1" in page
    for section in ("Opening", "Resolution", "Compliance"):
        assert f"<legend>{section}</legend>" in page
    accuracy, empathy = criteria_of(rubric)[1:3]
    assert page.count(f'name="c{accuracy.pk}"') == 5  # radios 1-5, no N/A
    assert page.count(f'name="c{empathy.pk}"') == 6  # radios 1-5 and N/A
    assert "Hana Harbor" in page
    assert "Pablo Quetzal" in page  # the buyer scores every partner's agents
    assert "Zed Zanzibar" not in page


def test_partner_lead_only_picks_its_own_agents(login, partner_lead, world, rubric):
    page = text(login(partner_lead).get(reverse("calibration:evaluation-create")))
    assert "Hana Harbor" in page
    assert "Pablo Quetzal" not in page


def test_an_evaluation_saved_through_the_page_gets_the_right_score(
    login, buyer_reviewer, world, rubric
):
    client = login(buyer_reviewer)
    response = client.post(
        reverse("calibration:evaluation-create"),
        evaluation_post(rubric, world.harbor_agent, "1", "4", "3", "1", external_id="ZD-4411"),
    )
    evaluation = QaEvaluation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("calibration:evaluation-detail", args=[evaluation.pk])
    assert evaluation.score == D("80")
    assert evaluation.side == "buyer"
    assert evaluation.partner == world.harbor
    assert evaluation.external_id == "ZD-4411"
    assert "Saved the QA of ZD-4411 (Hana Harbor): score 80.0." in messages_of(response)

    page = text(client.get(response.url))
    assert "80.0" in page
    assert "8 of 10" in page  # points earned of points possible
    assert "3 of 4" in page  # Accuracy 4 on 1-5 earns 3 of its 4 points
    assert "Hana Harbor" in page


def test_na_leaves_a_criterion_out(login, buyer_reviewer, world, rubric):
    client = login(buyer_reviewer)
    client.post(
        reverse("calibration:evaluation-create"),
        evaluation_post(rubric, world.harbor_agent, "1", "4", "na", "1"),
    )
    evaluation = QaEvaluation.objects.get()
    assert evaluation.score.quantize(D("0.1")) == D("87.5")  # 7 of 8 points
    page = text(client.get(reverse("calibration:evaluation-detail", args=[evaluation.pk])))
    assert "Left out as not applicable: Empathy." in page
    assert "N/A, left out" in page


def test_a_missed_critical_criterion_scores_0_and_says_why(login, buyer_reviewer, world, rubric):
    client = login(buyer_reviewer)
    client.post(
        reverse("calibration:evaluation-create"),
        evaluation_post(rubric, world.harbor_agent, "1", "5", "5", "0"),
    )
    evaluation = QaEvaluation.objects.get()
    assert evaluation.score == 0
    assert evaluation.critical_failed == "Verified identity"
    reason = "0: critical criterion missed (Verified identity)"
    assert reason in text(
        client.get(reverse("calibration:evaluation-detail", args=[evaluation.pk]))
    )
    assert reason in text(client.get(reverse("calibration:evaluation-list")))


def test_a_value_off_the_scale_is_refused_and_nothing_is_saved(
    login, buyer_pm, buyer_reviewer, world
):
    hundred = make_rubric(
        buyer_pm,
        name="Email QA",
        criteria=[
            services.CriterionInput("Writing", "Tone", D(2), "yes_no"),
            services.CriterionInput("Writing", "Resolution quality", D(5), "zero_to_hundred"),
        ],
    )
    client = login(buyer_reviewer)
    url = reverse("calibration:evaluation-create")
    page = text(client.get(url + f"?rubric={hundred.pk}"))
    assert 'type="number"' in page

    response = client.post(url, evaluation_post(hundred, world.harbor_agent, "1", "120"))
    assert "'Resolution quality': 120 is outside its scale (0-100)." in text(response)

    rubric = make_rubric(buyer_pm)
    response = client.post(url, evaluation_post(rubric, world.harbor_agent, "1", "7", "3", "1"))
    assert response.status_code == 200
    assert "Select a valid choice." in text(response)
    assert not QaEvaluation.objects.exists()


def test_every_criterion_must_be_scored(login, buyer_reviewer, world, rubric):
    data = evaluation_post(rubric, world.harbor_agent, "1", "4", "3", "1")
    del data[f"c{criteria_of(rubric)[1].pk}"]
    response = login(buyer_reviewer).post(reverse("calibration:evaluation-create"), data)
    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert not QaEvaluation.objects.exists()


def test_a_partner_lead_scores_its_own_agent_on_the_partner_side(
    login, partner_lead, world, rubric
):
    response = login(partner_lead).post(
        reverse("calibration:evaluation-create"),
        evaluation_post(rubric, world.harbor_agent, "1", "3", "3", "1"),
    )
    assert response.status_code == 302
    evaluation = QaEvaluation.objects.get()
    assert evaluation.side == "partner"
    assert evaluation.score == D("70")


def test_partner_lead_cannot_evaluate_quetzals_agent(login, partner_lead, world, rubric):
    response = login(partner_lead).post(
        reverse("calibration:evaluation-create"),
        evaluation_post(rubric, world.pacific_agent, "1", "4", "3", "1"),
    )
    assert response.status_code == 200
    assert "Select a valid choice." in text(response)
    assert not QaEvaluation.objects.exists()


def test_viewers_and_executives_cannot_evaluate(login, partner_viewer, buyer_exec, world, rubric):
    for user in (partner_viewer, buyer_exec):
        client = login(user)
        assert client.get(reverse("calibration:evaluation-create")).status_code == 403
        response = client.post(
            reverse("calibration:evaluation-create"),
            evaluation_post(rubric, world.harbor_agent, "1", "4", "3", "1"),
        )
        assert response.status_code == 403
    assert not QaEvaluation.objects.exists()


def test_evaluation_list_shows_who_scored_what_and_filters(
    login, buyer_pm, buyer_reviewer, partner_lead, world, rubric
):
    evaluate(buyer_reviewer, rubric, world.harbor_agent, 1, 4, 3, 1, external_id="ZD-1")
    evaluate(partner_lead, rubric, world.harbor_agent, 1, 5, 5, 1, external_id="ZD-2")
    evaluate(buyer_reviewer, rubric, world.pacific_agent, 1, 4, 3, 0, external_id="QZ-9")
    client = login(buyer_pm)
    page = text(client.get(reverse("calibration:evaluation-list")))
    for expected in ("ZD-1", "ZD-2", "QZ-9", "Hana Harbor", "Pablo Quetzal", "80.0", "100.0"):
        assert expected in page
    assert buyer_reviewer.display_name in page
    assert 'class="badge side-partner">Partner' in page
    assert 'class="badge side-buyer">Buyer' in page

    page = text(client.get(reverse("calibration:evaluation-list") + "?side=partner"))
    assert "ZD-2" in page
    assert "ZD-1" not in page
    url = reverse("calibration:evaluation-list") + f"?agent={world.pacific_agent.pk}"
    page = text(client.get(url))
    assert "QZ-9" in page
    assert "ZD-1" not in page


def test_partner_lead_cannot_see_quetzals_evaluations(
    login, partner_lead, buyer_reviewer, world, rubric
):
    theirs = evaluate(buyer_reviewer, rubric, world.pacific_agent, 1, 4, 3, 1, external_id="QZ-9")
    evaluate(buyer_reviewer, rubric, world.harbor_agent, 1, 4, 3, 1, external_id="ZD-1")
    client = login(partner_lead)
    page = text(client.get(reverse("calibration:evaluation-list")))
    assert "ZD-1" in page
    assert "QZ-9" not in page
    assert "Pablo Quetzal" not in page  # nor in the agent filter
    url = reverse("calibration:evaluation-detail", args=[theirs.pk])
    assert client.get(url).status_code == 404


def test_another_account_cannot_open_an_evaluation(
    login, outsider_pm, buyer_reviewer, world, rubric
):
    evaluation = evaluate(buyer_reviewer, rubric, world.harbor_agent, 1, 4, 3, 1)
    client = login(outsider_pm)
    assert (
        client.get(reverse("calibration:evaluation-detail", args=[evaluation.pk])).status_code
        == 404
    )
    assert "T-100" not in text(client.get(reverse("calibration:evaluation-list")))


def test_evaluation_list_costs_the_same_queries_for_2_and_10_rows(
    login, buyer_pm, buyer_reviewer, partner_lead, world, rubric
):
    client = login(buyer_pm)
    url = reverse("calibration:evaluation-list")

    def add(n: int) -> None:
        for _ in range(n):
            agent = AgentFactory(partner=world.harbor, team=world.harbor_team)
            evaluation = evaluate(buyer_reviewer, rubric, agent, 1, 2, 3, 1)
            services.dispute_raise(
                viewer=viewer_of(partner_lead),
                evaluation=evaluation,
                criterion_id=criteria_of(rubric)[1].pk,
                proposed_value=D(4),
                reason="The answer was right.",
            )

    add(2)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    add(8)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(url)
    assert len(response.context["rows"]) == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


# DISPUTES
# ------------------------------------------------------------------------------


@pytest.fixture
def buyer_evaluation(buyer_reviewer, world, rubric) -> QaEvaluation:
    """The buyer's QA of a Harbor agent: Accuracy 2, so 60.0."""
    return evaluate(buyer_reviewer, rubric, world.harbor_agent, 1, 2, 3, 1, external_id="ZD-7")


def dispute_post(rubric, criterion_index: int, value: str, reason: str = "The answer was right."):
    return {
        "criterion": criteria_of(rubric)[criterion_index].pk,
        "proposed_value": value,
        "reason": reason,
    }


def test_partner_lead_disputes_and_the_buyer_accepts_the_score_changes(
    login, partner_lead, buyer_reviewer, buyer_evaluation, rubric
):
    assert buyer_evaluation.score == D("60")
    lead = login(partner_lead)
    detail_url = reverse("calibration:evaluation-detail", args=[buyer_evaluation.pk])
    page = text(lead.get(detail_url))
    last_day = clock.today() + timedelta(days=7)
    assert f"may dispute a criterion until {last_day:%-d %B %Y}" in page
    assert "Dispute Accuracy" in page

    # when the partner lead disputes Accuracy 2 → 4
    response = lead.post(
        reverse("calibration:dispute-raise", args=[buyer_evaluation.pk]),
        dispute_post(rubric, 1, "4"),
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.status == DisputeStatus.OPEN
    assert (dispute.value_before, dispute.proposed_value) == (D(2), D(4))
    assert "Accuracy 2 → 4 proposed" in text(lead.get(detail_url))

    # and the buyer's QA reviewer accepts it
    reviewer = login(buyer_reviewer)
    page = text(reviewer.get(detail_url))
    assert "Accept: the score changes" in page
    response = reviewer.post(
        reverse("calibration:dispute-resolve", args=[dispute.pk]), {"accept": "yes", "note": ""}
    )

    # then the score changes and the page shows the change
    assert response.status_code == 302
    buyer_evaluation.refresh_from_db()
    assert buyer_evaluation.score == D("80")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.ACCEPTED
    page = text(reviewer.get(detail_url))
    when = clock.today()
    change = f"Accuracy 2 → 4, accepted by {buyer_reviewer.display_name} on {when:%-d %b %Y}"
    assert change in page
    assert "80.0" in page
    assert change in text(lead.get(reverse("calibration:dispute-list")))


def test_rejecting_a_dispute_needs_a_note(login, partner_lead, buyer_pm, buyer_evaluation, rubric):
    dispute = services.dispute_raise(
        viewer=viewer_of(partner_lead),
        evaluation=buyer_evaluation,
        criterion_id=criteria_of(rubric)[1].pk,
        proposed_value=D(4),
        reason="The answer was right.",
    )
    client = login(buyer_pm)
    url = reverse("calibration:dispute-resolve", args=[dispute.pk])

    response = client.post(url, {"accept": "no", "note": "  "})
    assert response.status_code == 200
    assert "Say why the dispute is rejected." in text(response)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN

    client.post(url, {"accept": "no", "note": "The policy says to escalate refunds."})
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.REJECTED
    buyer_evaluation.refresh_from_db()
    assert buyer_evaluation.score == D("60")
    page = text(client.get(reverse("calibration:evaluation-detail", args=[buyer_evaluation.pk])))
    assert "Accuracy stays 2 (proposed 4), rejected by" in page
    assert "The policy says to escalate refunds." in page


def test_a_dispute_after_the_window_is_refused(login, partner_lead, buyer_reviewer, world, rubric):
    scored = clock.now() - timedelta(days=10)
    evaluation = evaluate(buyer_reviewer, rubric, world.harbor_agent, 1, 2, 3, 1, scored_at=scored)
    client = login(partner_lead)
    page = text(client.get(reverse("calibration:evaluation-detail", args=[evaluation.pk])))
    last_day = clock.local_date(scored) + timedelta(days=7)
    assert f"The dispute window of 7 days closed on {last_day:%-d %B %Y}." in page
    assert "Dispute Accuracy" not in page

    response = client.post(
        reverse("calibration:dispute-raise", args=[evaluation.pk]), dispute_post(rubric, 1, "4")
    )
    assert response.status_code == 200
    assert f"The dispute window of 7 days closed on {last_day:%d %B %Y}." in text(response)
    assert not Dispute.objects.exists()


def test_a_longer_window_set_for_the_partner_keeps_disputes_open(
    login, partner_lead, buyer_reviewer, world, rubric
):
    PartnerCalibration.objects.create(partner=world.harbor, dispute_window_days=14)
    scored = clock.now() - timedelta(days=10)
    evaluation = evaluate(buyer_reviewer, rubric, world.harbor_agent, 1, 2, 3, 1, scored_at=scored)
    response = login(partner_lead).post(
        reverse("calibration:dispute-raise", args=[evaluation.pk]), dispute_post(rubric, 1, "4")
    )
    assert response.status_code == 302
    assert Dispute.objects.count() == 1


def test_a_dispute_off_the_scale_or_without_a_reason_is_refused(
    login, partner_lead, buyer_evaluation, rubric
):
    client = login(partner_lead)
    url = reverse("calibration:dispute-raise", args=[buyer_evaluation.pk])
    response = client.post(url, dispute_post(rubric, 1, "9"))
    assert "'Accuracy': 9 is outside its scale (1-5)." in text(response)
    response = client.post(url, dispute_post(rubric, 1, "4", reason=""))
    assert "Say why the score is wrong." in text(response)
    response = client.post(url, dispute_post(rubric, 1, "2"))
    assert "The proposed score is the score already given." in text(response)
    assert not Dispute.objects.exists()

    client.post(url, dispute_post(rubric, 1, "4"))
    response = client.post(url, dispute_post(rubric, 1, "5"))
    assert "'Accuracy' is already disputed." in text(response)
    assert Dispute.objects.count() == 1


def test_only_the_buyers_evaluations_can_be_disputed(login, partner_lead, world, rubric):
    own = evaluate(partner_lead, rubric, world.harbor_agent, 1, 2, 3, 1)
    client = login(partner_lead)
    assert "Dispute Accuracy" not in text(
        client.get(reverse("calibration:evaluation-detail", args=[own.pk]))
    )
    response = client.post(
        reverse("calibration:dispute-raise", args=[own.pk]), dispute_post(rubric, 1, "4")
    )
    assert "Only the buyer's evaluations can be disputed." in text(response)
    assert not Dispute.objects.exists()


def test_who_may_raise_and_resolve_disputes(
    login, buyer_pm, partner_lead, partner_viewer, other_partner_lead, outsider_pm,
    buyer_evaluation, rubric,
):  # fmt: skip
    raise_url = reverse("calibration:dispute-raise", args=[buyer_evaluation.pk])
    # the buyer and a partner viewer do not dispute; Quetzal's lead does not see the evaluation
    assert login(buyer_pm).post(raise_url, dispute_post(rubric, 1, "4")).status_code == 403
    assert login(partner_viewer).post(raise_url, dispute_post(rubric, 1, "4")).status_code == 403
    response = login(other_partner_lead).post(raise_url, dispute_post(rubric, 1, "4"))
    assert response.status_code == 404
    assert not Dispute.objects.exists()

    login(partner_lead).post(raise_url, dispute_post(rubric, 1, "4"))
    dispute = Dispute.objects.get()
    resolve_url = reverse("calibration:dispute-resolve", args=[dispute.pk])
    for user in (partner_lead, partner_viewer, other_partner_lead):
        assert login(user).post(resolve_url, {"accept": "yes"}).status_code == 403
    assert login(outsider_pm).post(resolve_url, {"accept": "yes"}).status_code == 404
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


def test_dispute_list_shows_the_share_accepted_per_partner(
    login, buyer_pm, buyer_reviewer, partner_lead, other_partner_lead, world, rubric
):
    accuracy = criteria_of(rubric)[1].pk
    reviewer = viewer_of(buyer_reviewer)
    outcomes = []
    for n, (lead, agent, accept) in enumerate(
        [
            (partner_lead, world.harbor_agent, True),
            (partner_lead, world.harbor_agent, False),
            (partner_lead, world.harbor_agent, None),
            (other_partner_lead, world.pacific_agent, True),
        ]
    ):
        evaluation = evaluate(buyer_reviewer, rubric, agent, 1, 2, 3, 1, external_id=f"E-{n}")
        dispute = services.dispute_raise(
            viewer=viewer_of(lead), evaluation=evaluation, criterion_id=accuracy,
            proposed_value=D(4), reason=f"Reason {n}",
        )  # fmt: skip
        if accept is not None:
            services.dispute_resolve(viewer=reviewer, dispute=dispute, accept=accept, note="Ok")
        outcomes.append(dispute)

    page = text(login(buyer_pm).get(reverse("calibration:dispute-list")))
    assert "Harbor Support" in page
    assert '<strong>50%</strong> <span class="muted">(1 of 2)</span>' in page
    assert "Quetzal Contact" in page
    assert '<strong>100%</strong> <span class="muted">(1 of 1)</span>' in page
    for n in range(4):
        assert f"E-{n}" in page

    page = text(login(buyer_pm).get(reverse("calibration:dispute-list") + "?status=open"))
    assert "E-2" in page
    assert "E-0" not in page

    page = text(login(partner_lead).get(reverse("calibration:dispute-list")))
    assert "E-0" in page
    assert "<strong>50%</strong>" in page
    assert "E-3" not in page
    assert "Quetzal" not in page


# PARTNER SETTINGS
# ------------------------------------------------------------------------------


def settings_post(**overrides) -> dict:
    return {
        "cadence": "monthly",
        "rubric": "",
        "sample_size": "6",
        "dispute_window_days": "10",
        **overrides,
    }


def test_program_manager_sets_a_partners_calibration(login, buyer_pm, world, rubric):
    client = login(buyer_pm)
    url = reverse("calibration:partner-settings", args=[world.harbor.pk])
    page = text(client.get(url))
    assert "Weekly to week 12, fortnightly to 26, then monthly" in page  # the default
    assert "Next sessions due" in page
    assert not PartnerCalibration.objects.exists()  # reading creates nothing

    response = client.post(url, settings_post(rubric=rubric.pk))
    assert response.status_code == 302
    saved = PartnerCalibration.objects.get(partner=world.harbor)
    assert (saved.cadence, saved.rubric, saved.sample_size, saved.dispute_window_days) == (
        "monthly",
        rubric,
        6,
        10,
    )
    page = text(client.get(url))
    assert "Monthly" in page
    assert "10 days" in page


def test_a_sample_size_outside_5_to_10_is_refused(login, buyer_pm, world):
    url = reverse("calibration:partner-settings", args=[world.harbor.pk])
    response = login(buyer_pm).post(url, settings_post(sample_size="11"))
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 10." in text(response)
    assert not PartnerCalibration.objects.exists()


def test_partner_users_read_their_partners_settings_only(
    login, partner_viewer, other_partner_lead, buyer_reviewer, outsider_pm, world
):
    PartnerCalibration.objects.create(partner=world.harbor, cadence="weekly", sample_size=7)
    url = reverse("calibration:partner-settings", args=[world.harbor.pk])

    client = login(partner_viewer)
    page = text(client.get(url))
    assert "Weekly" in page
    assert "Interactions per session" in page
    assert 'name="sample_size"' not in page
    assert client.post(url, settings_post()).status_code == 403
    assert login(buyer_reviewer).post(url, settings_post()).status_code == 403
    assert PartnerCalibration.objects.get().cadence == "weekly"

    assert login(other_partner_lead).get(url).status_code == 404
    assert login(outsider_pm).get(url).status_code == 404
    assert login(outsider_pm).post(url, settings_post()).status_code == 404
