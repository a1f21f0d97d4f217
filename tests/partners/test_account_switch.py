from __future__ import annotations

from django.urls import reverse

from partners.models import Role
from partners.scoping import SESSION_ACCOUNT_KEY
from tests.factories.partners import MembershipFactory


def test_member_of_two_accounts_switches_between_them(login, outsider_pm, world):
    MembershipFactory(
        user=outsider_pm, account=world.account, role=Role.PARTNER_QA_LEAD, partner=world.harbor
    )
    client = login(outsider_pm)
    home = client.get(reverse("home:home")).content
    assert b"Globex" in home  # first account by name
    assert b'name="account"' in home  # the switcher offers the other one

    response = client.post(reverse("partners:account-switch"), {"account": world.account.pk})
    assert response.status_code == 302
    home = client.get(reverse("home:home")).content
    assert b"Harbor Support for Northwind" in home
    assert b"Zanzibar" not in home


def test_switch_to_an_account_the_user_does_not_belong_to_changes_nothing(
    login, outsider_pm, world
):
    client = login(outsider_pm)
    response = client.post(
        reverse("partners:account-switch"), {"account": world.account.pk}, follow=True
    )
    assert b"You are not a member of that account; nothing changed." in response.content
    assert SESSION_ACCOUNT_KEY not in client.session
    assert b"Globex" in client.get(reverse("home:home")).content


def test_switch_with_garbage_changes_nothing(login, outsider_pm):
    client = login(outsider_pm)
    response = client.post(reverse("partners:account-switch"), {"account": "x; drop"}, follow=True)
    assert b"nothing changed" in response.content
    assert SESSION_ACCOUNT_KEY not in client.session


def test_switch_needs_a_signed_in_user(client, world):
    response = client.post(reverse("partners:account-switch"), {"account": world.account.pk})
    assert response.status_code == 403


def test_user_without_membership_is_told_so(login, db):
    from tests.factories.partners import UserFactory

    response = login(UserFactory()).get(reverse("home:home"))
    assert response.status_code == 403
    assert b"not a member of any account" in response.content
