"""The QBR as a record: a program manager opens a partner's review of a quarter and adds
action items with an owner on either side; the next quarter's review shows how they ended;
a partner's people see and update the items their side owns, nothing else."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from core.errors import DomainError
from home import services
from home.models import ActionItem, QuarterlyReview
from home.selectors import quarter
from partners.models import Membership, Role
from partners.scoping import viewer_for_membership
from tests.factories.partners import MembershipFactory, UserFactory

Q3, Q4 = quarter(2026, 3), quarter(2026, 4)


def viewer_of(user):
    return viewer_for_membership(Membership.objects.get(user=user))


@pytest.fixture
def review(world, buyer_pm):
    return services.review_open(viewer=viewer_of(buyer_pm), partner=world.harbor, quarter=Q3)


def add(viewer, review, owner, *, side="partner", text="Coach the floor on refunds",
        due=date(2026, 11, 30)):  # fmt: skip
    return services.action_item_add(viewer=viewer, review=review, description=text, side=side,
                                    owner=owner, due_date=due)  # fmt: skip


def test_opening_a_review_twice_gives_the_one_review(world, buyer_pm, review) -> None:
    again = services.review_open(viewer=viewer_of(buyer_pm), partner=world.harbor, quarter=Q3)
    assert again == review
    assert QuarterlyReview.objects.count() == 1


def test_items_need_an_owner_on_their_side(
    world, buyer_pm, buyer_exec, partner_lead, other_partner_lead, outsider_pm, review
) -> None:
    pm = viewer_of(buyer_pm)
    item = add(pm, review, partner_lead)
    assert (item.side, item.owner, item.status) == ("partner", partner_lead, "open")
    assert add(pm, review, buyer_exec, side="buyer").owner == buyer_exec
    refusals = {
        "owner works for the partner, side buyer": (dict(owner=partner_lead, side="buyer"),
                                                     "owner"),
        "another partner's lead": (dict(owner=other_partner_lead), "owner"),
        "another account's member": (dict(owner=outsider_pm), "owner"),
        "a buyer on the partner side": (dict(owner=buyer_exec, side="partner"), "owner"),
        "no text": (dict(owner=partner_lead, text="  "), "description"),
        "no side": (dict(owner=partner_lead, side="nobody"), "side"),
        "no due date": (dict(owner=partner_lead, due=None), "due_date"),
    }  # fmt: skip
    for why, (kwargs, field) in refusals.items():
        with pytest.raises(DomainError) as refused:
            add(pm, review, **kwargs)
        assert refused.value.field == field, why
    assert ActionItem.objects.count() == 2


def test_only_program_managers_open_reviews_and_add_items(
    world, buyer_exec, partner_lead, review
) -> None:
    for user in (buyer_exec, partner_lead):
        with pytest.raises(DomainError) as refused:
            services.review_open(viewer=viewer_of(user), partner=world.harbor, quarter=Q4)
        assert refused.value.code == "permission_denied"
        with pytest.raises(DomainError) as refused:
            add(viewer_of(user), review, partner_lead)
        assert refused.value.code == "permission_denied"


def test_the_owner_or_a_program_manager_records_how_an_item_ended(
    world, buyer_pm, partner_lead, partner_viewer, review
) -> None:
    item = add(viewer_of(buyer_pm), review, partner_lead)
    done = services.action_item_update(viewer=viewer_of(partner_lead), item=item, status="done",
                                       outcome="All 40 agents coached")  # fmt: skip
    assert (done.status, done.outcome) == ("done", "All 40 agents coached")
    with pytest.raises(DomainError) as refused:
        services.action_item_update(viewer=viewer_of(partner_viewer), item=item, status="open",
                                    outcome="")  # fmt: skip
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError) as refused:
        services.action_item_update(viewer=viewer_of(buyer_pm), item=item, status="dropped",
                                    outcome="")  # fmt: skip
    assert refused.value.field == "outcome"


def test_the_next_quarter_shows_the_previous_reviews_items(
    world, buyer_pm, partner_lead, review, login
) -> None:
    item = add(viewer_of(buyer_pm), review, partner_lead)
    services.action_item_update(viewer=viewer_of(partner_lead), item=item, status="done",
                                outcome="All 40 agents coached")  # fmt: skip
    response = login(buyer_pm).get(reverse("home:qbr-partner", args=[2026, 4, world.harbor.pk]))
    (shown,) = response.context["reviews"]
    assert shown.record is None
    assert shown.items == []
    assert shown.previous_items == [item]
    page = response.content.decode()
    assert "Coach the floor on refunds" in page
    assert "All 40 agents coached" in page
    assert "Open the review" in page


def test_a_program_manager_opens_the_review_and_adds_an_item_in_the_browser_forms(
    world, buyer_pm, partner_lead, login
) -> None:
    client = login(buyer_pm)
    page = reverse("home:qbr-partner", args=[2026, 4, world.harbor.pk])
    response = client.post(reverse("home:qbr-open", args=[2026, 4, world.harbor.pk]))
    assert response.status_code == 302
    assert response.url == page
    owner = Membership.objects.get(user=partner_lead)
    response = client.post(
        reverse("home:qbr-item-add", args=[2026, 4, world.harbor.pk]),
        {"description": "Re-train on returns", "side": "partner", "owner": owner.pk,
         "due_date": "2027-01-31"},
        follow=True,
    )  # fmt: skip
    assert "Added the action for" in response.content.decode()
    item = ActionItem.objects.get()
    assert (item.review.quarter_start, item.owner, item.due_date) == (
        date(2026, 10, 1), partner_lead, date(2027, 1, 31),
    )  # fmt: skip
    # A refused item says why and saves nothing.
    response = client.post(
        reverse("home:qbr-item-add", args=[2026, 4, world.harbor.pk]),
        {"description": "", "side": "partner", "owner": owner.pk, "due_date": "2027-01-31"},
        follow=True,
    )
    assert "Action: This field is required." in response.content.decode()
    assert ActionItem.objects.count() == 1


def test_partner_people_see_only_their_sides_items(
    world, buyer_pm, buyer_exec, partner_lead, other_partner_lead, review, login
) -> None:
    pm = viewer_of(buyer_pm)
    add(pm, review, partner_lead, text="Harbor: coach on refunds")
    add(pm, review, buyer_exec, side="buyer", text="Buyer: publish the refund policy")
    # Quetzal's own review and item.
    quetzal = services.review_open(viewer=pm, partner=world.pacific, quarter=Q3)
    add(pm, quetzal, other_partner_lead, text="Quetzal: staff the weekend")

    def listed(user):
        page = login(user).get(reverse("home:qbr-actions"))
        assert page.status_code == 200
        return {item.description for item in page.context["page"].object_list}

    assert listed(partner_lead) == {"Harbor: coach on refunds"}
    assert listed(other_partner_lead) == {"Quetzal: staff the weekend"}
    assert listed(buyer_pm) == {"Harbor: coach on refunds", "Buyer: publish the refund policy",
                                "Quetzal: staff the weekend"}  # fmt: skip
    # Another partner's item cannot be updated by id: a 404, not a refusal naming it.
    other = ActionItem.objects.get(description="Quetzal: staff the weekend")
    response = login(partner_lead).post(reverse("home:qbr-item-update", args=[other.pk]),
                                        {"status": "done"})  # fmt: skip
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "open"


def test_a_partner_lead_updates_an_item_from_the_actions_page(
    world, buyer_pm, partner_lead, review, login
) -> None:
    item = add(viewer_of(buyer_pm), review, partner_lead)
    client = login(partner_lead)
    response = client.post(
        reverse("home:qbr-item-update", args=[item.pk]),
        {"status": "done", "outcome": "Coached", "next": reverse("home:qbr-actions")},
        follow=True,
    )
    assert "is done." in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.outcome) == ("done", "Coached")


def test_a_buyer_member_of_another_partner_cannot_be_picked(world, buyer_pm, review) -> None:
    stranger = UserFactory(email="viewer@quetzal.test")
    MembershipFactory(user=stranger, account=world.account, role=Role.PARTNER_VIEWER,
                      partner=world.pacific)  # fmt: skip
    with pytest.raises(DomainError):
        add(viewer_of(buyer_pm), review, stranger)


def test_the_partner_page_shows_the_health_check_and_takes_the_managers_scores(
    world, buyer_pm, partner_lead, login
) -> None:
    """Harbor's contract prices chat and governs CSAT, not FCR: SLA design is not healthy.
    Keel has no data for per-agent visibility: the program manager scores it."""
    from tests.factories.sla import govern_template, make_contract, make_sla

    contract = make_contract(world.harbor, channels=("chat",))
    govern_template(make_sla(contract), "chat", "csat")
    client = login(buyer_pm)
    page_url = reverse("home:qbr-partner", args=[2026, 4, world.harbor.pk])
    layers = {layer.key: layer for layer in client.get(page_url).context["health"]}
    assert (layers["sla_design"].healthy, layers["sla_design"].evidence) == (
        False, "not banded: FCR chat",
    )  # fmt: skip
    assert layers["per_agent"].healthy is None
    response = client.post(
        reverse("home:qbr-health", args=[2026, 4, world.harbor.pk]),
        {"layer": "per_agent", "healthy": "yes", "evidence": "Reviewed 12 agents in November"},
        follow=True,
    )
    assert "Saved the score and its evidence." in response.content.decode()
    layers = {layer.key: layer for layer in response.context["health"]}
    assert (layers["per_agent"].healthy, layers["per_agent"].by) == (True, "program manager")
    assert "Reviewed 12 agents in November" in response.content.decode()
    # Evidence is required; a lead cannot score.
    health_url = reverse("home:qbr-health", args=[2026, 4, world.harbor.pk])
    refused = client.post(
        health_url, {"layer": "per_agent", "healthy": "no", "evidence": " "}, follow=True
    )
    assert "Evidence: This field is required." in refused.content.decode()
    lead = login(partner_lead).post(
        health_url, {"layer": "per_agent", "healthy": "no", "evidence": "x"}
    )
    assert lead.status_code == 403
    assert QuarterlyReview.objects.get().health_scores["per_agent"]["healthy"] is True


def test_a_health_score_needs_a_layer_and_evidence(world, buyer_pm, review) -> None:
    pm = viewer_of(buyer_pm)
    for layer, evidence, field in (("per_agent", "  ", "evidence"), ("vibes", "ok", "layer")):
        with pytest.raises(DomainError) as refused:
            services.health_score_save(viewer=pm, review=review, layer=layer, healthy=True,
                                       evidence=evidence)  # fmt: skip
        assert refused.value.field == field
    review.refresh_from_db()
    assert review.health_scores == {}


def test_a_partner_lead_sees_what_is_due_at_home(
    world, buyer_pm, partner_lead, other_partner_lead, review, login, time_machine
) -> None:
    """Harbor's open plan (overdue), the QBR action Harbor owns; nothing of Quetzal's."""
    from sla.evaluation import evaluate_contract_month
    from sla.models import RemediationPlan
    from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

    time_machine.move_to("2026-12-20T12:00:00Z", tick=False)
    for partner in (world.harbor, world.pacific):
        contract = make_contract(partner, channels=("chat",))
        govern_template(make_sla(contract), "chat", "csat")
        month_snapshot(partner, "chat", date(2026, 10, 1), contacts=900, csat_n=300,
                       csat_positive=200)  # fmt: skip
        evaluate_contract_month(contract, date(2026, 10, 1), date(2026, 11, 5))
    plan = RemediationPlan.objects.get(partner=world.harbor)
    RemediationPlan.objects.filter(pk=plan.pk).update(due_date=date(2026, 12, 1))
    pm = viewer_of(buyer_pm)
    add(pm, review, partner_lead, text="Harbor: coach on refunds", due=date(2027, 1, 15))
    quetzal = services.review_open(viewer=pm, partner=world.pacific, quarter=Q3)
    add(pm, quetzal, other_partner_lead, text="Quetzal: staff the weekend")
    response = login(partner_lead).get(reverse("home:home"))
    work = response.context["work"]
    assert [p.partner for p in work.plans] == [world.harbor]
    assert [a.description for a in work.actions] == ["Harbor: coach on refunds"]
    assert work.overdue == 1
    page = response.content.decode()
    assert "1 overdue" in page
    assert "Harbor: coach on refunds" in page
    assert "Quetzal" not in page


def test_a_program_manager_publishes_the_review_once_the_quarter_is_over(
    world, buyer_pm, review, login, time_machine, django_capture_on_commit_callbacks
) -> None:
    from home.signals import review_published

    received = []

    def listen(sender, review, **kwargs):
        received.append(review.pk)

    review_published.connect(listen)
    url = reverse("home:qbr-publish", args=[2026, 3, world.harbor.pk])
    page_url = reverse("home:qbr-partner", args=[2026, 3, world.harbor.pk])
    client = login(buyer_pm)
    time_machine.move_to("2026-09-30T12:00:00Z", tick=False)  # Q3's last day
    refused = client.post(url, follow=True).content.decode()
    assert "publish its review once the quarter is over" in refused
    assert QuarterlyReview.objects.get().published_at is None
    time_machine.move_to("2026-10-05T12:00:00Z", tick=False)
    assert "Publish the review" in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, follow=True).content.decode()
    assert "Published the review of Harbor Support Q3 2026." in page
    assert "on 5 October 2026 by" in page
    record = QuarterlyReview.objects.get()
    assert record.published_by == buyer_pm
    assert received == [record.pk]
    again = client.post(url, follow=True).content.decode()
    assert "already published on 05 Oct 2026" in again
    assert received == [record.pk]
    review_published.disconnect(listen)


def test_only_program_managers_publish_and_only_an_open_review(
    world, buyer_pm, buyer_exec, partner_lead, login, time_machine
) -> None:
    time_machine.move_to("2026-10-05T12:00:00Z", tick=False)
    url = reverse("home:qbr-publish", args=[2026, 3, world.harbor.pk])
    for user in (buyer_exec, partner_lead):
        assert login(user).post(url).status_code == 403
    missing = login(buyer_pm).post(url, follow=True).content.decode()
    assert "not open: open it and agree its actions first" in missing
    with pytest.raises(DomainError, match="publish quarterly reviews"):
        services.review_publish(
            viewer=viewer_of(buyer_exec),
            review=services.review_open(
                viewer=viewer_of(buyer_pm), partner=world.harbor, quarter=Q3
            ),
        )
