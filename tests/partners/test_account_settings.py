"""The account's time zone: a program manager sets it on the Account settings page, an unknown
zone is refused with nothing changed, the change is in the activity log, and the periods are
re-cut in the background once it commits, not inside the request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import DomainError
from kpis.models import Interaction, KpiSnapshot
from kpis.snapshots import partner_recompute
from partners.models import Account, AuditEvent, InteractionType, Membership
from partners.scoping import viewer_for_membership
from partners.services import account_set_time_zone
from sla.evaluation import evaluate_contract_month
from sla.models import Settlement
from tests.factories.partners import UserFactory
from tests.factories.sla import govern_template, make_contract, make_sla

D = Decimal
URL = reverse("partners:account-settings")
OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


def month_contacts(partner):
    return dict(
        KpiSnapshot.objects.filter(
            partner=partner, agent__isnull=True, period_type="month", contacts__gt=0
        ).values_list("period_start", "contacts")
    )


def invoices(partner):
    """October's and November's invoices (a re-cut may evaluate other months too)."""
    settlements = Settlement.objects.filter(partner=partner, month__in=[OCTOBER, NOVEMBER])
    return dict(settlements.values_list("month", "invoice_total"))


@pytest.fixture
def harbor_near_midnight(world):
    """Harbor, billed 3.00 USD per chat contact, with two chat contacts on 31 October in UTC:
    23:30 and 00:30 (1 November) in Manila. Snapshots and settlements cut in UTC so far."""
    contract = make_contract(world.harbor, pricing_model="per_contact", rate=D("3.00"))
    govern_template(make_sla(contract), "chat", "csat")
    billing = InteractionType.objects.create(account=world.account, code="billing", name="Billing")
    for external_id, hour in (("T-1", 15), ("T-2", 16)):
        Interaction.objects.create(
            partner=world.harbor, agent=world.harbor_agent, channel="chat",
            interaction_type=billing, external_id=external_id,
            opened_at=datetime(2026, 10, 31, hour, 30, tzinfo=UTC),
        )  # fmt: skip
    partner_recompute(partner_id=world.harbor.pk, first=OCTOBER, last=date(2026, 11, 30))
    for month in (OCTOBER, NOVEMBER):
        evaluate_contract_month(contract, month, date(2026, 11, 20))
    return contract


@pytest.mark.time_machine(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False)
def test_a_new_time_zone_recuts_snapshots_and_settlements_after_the_request(
    world, harbor_near_midnight, buyer_pm, login, django_capture_on_commit_callbacks
):
    # given: cut in UTC, both contacts are October's
    assert month_contacts(world.harbor) == {OCTOBER: 2}
    assert invoices(world.harbor) == {OCTOBER: D("6.00"), NOVEMBER: D("0.00")}
    client = login(buyer_pm)

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(URL, {"time_zone": "Asia/Manila"})

    # then: the request saved the zone and left the work to a background task
    assert response.status_code == 302
    assert Account.objects.get(pk=world.account.pk).time_zone == "Asia/Manila"
    assert month_contacts(world.harbor) == {OCTOBER: 2}
    event = AuditEvent.objects.get(action="account.time_zone")
    assert event.actor == buyer_pm
    assert event.details == {"before": "UTC", "after": "Asia/Manila"}
    assert event.summary.startswith("Changed the time zone from UTC to Asia/Manila")

    # when the task runs (eager Celery runs it in place), and the settlements it marks out
    # of date are re-evaluated after it
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    # then: 00:30 on 1 November in Manila belongs to November, and so does its invoice
    assert month_contacts(world.harbor) == {OCTOBER: 1, NOVEMBER: 1}
    assert invoices(world.harbor) == {OCTOBER: D("3.00"), NOVEMBER: D("3.00")}
    page = client.get(URL).content.decode()
    assert "now counts its days in Asia/Manila" in page
    assert "<strong>Asia/Manila</strong>" in page


def test_an_unknown_time_zone_is_refused_and_nothing_changes(
    world, buyer_pm, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = login(buyer_pm).post(URL, {"time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assert (
        "“Mars/Olympus” is not a time zone Keel knows: choose one from the list"
        in response.content.decode()
    )
    assert Account.objects.get(pk=world.account.pk).time_zone == "UTC"
    assert not AuditEvent.objects.filter(action="account.time_zone").exists()
    assert callbacks == []


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "asia/manila"])
def test_the_service_refuses_what_is_not_a_time_zone_naming_the_field(world, buyer_pm, name):
    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    with pytest.raises(DomainError) as refused:
        account_set_time_zone(viewer=viewer, time_zone=name)
    assert refused.value.field == "time_zone"
    assert "is not a time zone Keel knows" in refused.value.message
    assert Account.objects.get(pk=world.account.pk).time_zone == "UTC"


def test_saving_the_same_zone_changes_nothing(
    world, buyer_pm, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = login(buyer_pm).post(URL, {"time_zone": "UTC"}, follow=True)
    assert "The time zone already is UTC: nothing changed." in response.content.decode()
    assert not AuditEvent.objects.filter(action="account.time_zone").exists()
    assert callbacks == []


@pytest.mark.parametrize("who", ["buyer_reviewer", "buyer_exec", "partner_lead"])
def test_only_program_managers_set_the_time_zone(world, who, request, login):
    client = login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"time_zone": "Asia/Manila"}).status_code == 403
    assert Account.objects.get(pk=world.account.pk).time_zone == "UTC"


def test_the_api_describes_the_accounts_time_zone(world, buyer_pm, api_login):
    world.account.time_zone = "America/New_York"
    world.account.save()
    response = api_login(buyer_pm).get("/api/v1/me/")
    assert response.json()["time_zone"] == "America/New_York"


def test_the_admin_shows_the_zone_but_leaves_changing_it_to_the_settings_page(world, login):
    superuser = UserFactory(email="root@keel.test", is_staff=True, is_superuser=True)
    page = login(superuser).get(reverse("admin:partners_account_change", args=[world.account.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "UTC" in html
    assert 'name="time_zone"' not in html


@pytest.mark.any_date
def test_pages_read_the_date_in_the_accounts_zone(world, buyer_pm, login, today):
    # At 10:30 UTC it is already 00:30 tomorrow in Kiritimati (UTC+14).
    world.account.time_zone = "Pacific/Kiritimati"
    world.account.save()
    tomorrow = today + timedelta(days=1)
    client = login(buyer_pm)
    assert client.get(reverse("home:home")).context["today"] == tomorrow
    settings_page = client.get(URL).content.decode()
    assert f"where it is 00:30 on {tomorrow:%-d %B %Y}" in settings_page
