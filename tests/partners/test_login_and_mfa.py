"""Login, password reset, rate limiting and MFA (django-allauth), and the account's
"require MFA" switch."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.urls import reverse

from core import clock
from partners.models import Account, AuditEvent

PASSWORD = "correct horse battery staple"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(clock.now().timestamp()) // 30))


def test_login_with_email_and_password_lands_on_home(client, buyer_pm):
    response = client.post(
        reverse("account_login"), {"login": buyer_pm.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home:home")
    assert b"programme overview" in response.content


def test_wrong_password_is_refused_with_a_message(client, buyer_pm):
    response = client.post(reverse("account_login"), {"login": buyer_pm.email, "password": "nope"})
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_rate_limited(client, buyer_pm):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": buyer_pm.email, "password": "wrong"})
    # Even the right password is refused once the address is locked for a while.
    response = client.post(
        reverse("account_login"), {"login": buyer_pm.email, "password": PASSWORD}
    )
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_up_is_closed_keel_is_invitation_only(client):
    response = client.post(
        reverse("account_signup"), {"email": "new@example.com", "password1": "x9!kLm2#pQ"}
    )
    assert b"closed" in response.content.lower()


def test_password_reset_sends_a_link(client, buyer_pm):
    client.post(reverse("account_reset_password"), {"email": buyer_pm.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_logout_ends_the_session(login, buyer_pm):
    client = login(buyer_pm)
    client.post(reverse("account_logout"))
    assert client.get(reverse("home:home")).status_code == 302


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("partners:partner-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_user_activates_totp_through_allauth_and_then_must_use_it(client, buyer_pm):
    client.force_login(buyer_pm)
    # given: allauth asks for the password again before adding an authenticator
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    # when
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    # then: recovery codes are offered and the next login asks for a code
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=buyer_pm, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(
        user=buyer_pm, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": buyer_pm.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.get(reverse("home:home")).status_code == 200


def test_program_manager_requires_mfa_for_the_account(login, buyer_pm, world):
    client = login(buyer_pm)
    response = client.post(reverse("partners:security"), {"require_mfa": "on"})
    assert response.status_code == 302
    assert Account.objects.get(pk=world.account.pk).require_mfa
    assert AuditEvent.objects.filter(account=world.account, action="account.mfa").exists()


def test_member_without_authenticator_must_set_one_up_when_required(login, partner_lead, world):
    Account.objects.filter(pk=world.account.pk).update(require_mfa=True)
    client = login(partner_lead)
    response = client.get(reverse("partners:partner-list"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    api = client.get("/api/v1/partners/")
    assert api.status_code == 403
    assert api.json()["errors"][0]["code"] == "mfa_required"


def test_member_with_authenticator_passes_when_mfa_is_required(login, partner_lead, world):
    Account.objects.filter(pk=world.account.pk).update(require_mfa=True)
    TOTP.activate(partner_lead, generate_totp_secret())
    assert login(partner_lead).get(reverse("partners:partner-list")).status_code == 200


def test_authenticator_cannot_be_removed_while_the_account_requires_it(client, partner_lead, world):
    totp = TOTP.activate(partner_lead, generate_totp_secret())
    Account.objects.filter(pk=world.account.pk).update(require_mfa=True)
    client.force_login(partner_lead)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(pk=totp.instance.pk).exists()
    assert response.status_code == 200


@pytest.mark.parametrize("role_user", ["buyer_reviewer", "partner_lead"])
def test_only_a_program_manager_can_change_the_mfa_requirement(role_user, request, login, world):
    user = request.getfixturevalue(role_user)
    response = login(user).post(reverse("partners:security"), {"require_mfa": "on"})
    assert response.status_code == 403
    assert not Account.objects.get(pk=world.account.pk).require_mfa
