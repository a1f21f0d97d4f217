"""A program manager invites people by email; the link makes them members."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from core import clock
from partners.models import AuditEvent, Invitation, Membership, Role, User
from tests.factories.partners import MembershipFactory, UserFactory, make_invitation

NEW_PERSON = {
    "first_name": "Nadia",
    "last_name": "Okafor",
    "password1": "tidal-Quartz-88-lantern",
    "password2": "tidal-Quartz-88-lantern",
}


def invite(client, email, role, partner=None, **capture):
    data = {"email": email, "role": role}
    if partner is not None:
        data["partner"] = partner.pk
    return client.post(reverse("partners:members"), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def test_invited_newcomer_creates_a_login_and_lands_on_their_home(
    login, client, buyer_pm, world, django_capture_on_commit_callbacks
):
    # given: the program manager invites a partner QA lead for Harbor
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(login(buyer_pm), "Nadia@Harbor.test", Role.PARTNER_QA_LEAD, world.harbor)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nadia@harbor.test"]
    assert "Harbor Support" in message.body
    invitation = Invitation.objects.get(email="nadia@harbor.test")
    assert invitation.sent_at is not None
    # when: she opens the link and chooses a password
    url = link_in(message).split("testserver", 1)[-1]
    page = client.get(url)
    assert b"Partner QA lead" in page.content
    response = client.post(url, NEW_PERSON, follow=True)
    # then
    assert response.redirect_chain[-1][0] == reverse("home:home")
    user = User.objects.get(email="nadia@harbor.test")
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.partner) == (Role.PARTNER_QA_LEAD, world.harbor)
    assert b"Harbor Support for Northwind" in response.content
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.status == Invitation.Status.ACCEPTED
    assert AuditEvent.objects.filter(action="invitation.accept", actor=user).exists()


def test_used_link_cannot_be_used_again(client, world):
    invitation, token = make_invitation(account=world.account, email="once@example.com")
    url = reverse("partners:invitation-accept", args=[token])
    client.post(url, NEW_PERSON)
    client.logout()
    response = client.post(url, {**NEW_PERSON, "first_name": "Mallory"})
    assert response.status_code == 400
    assert b"already been used" in response.content
    assert User.objects.filter(email="once@example.com").count() == 1


def test_existing_user_signs_in_and_joins_a_second_account(login, outsider_pm, world):
    invitation, token = make_invitation(
        account=world.account, email=outsider_pm.email, role=Role.EXECUTIVE
    )
    url = reverse("partners:invitation-accept", args=[token])
    client = login(outsider_pm)
    assert b"Join Northwind" in client.get(url).content
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.filter(user=outsider_pm).count() == 2
    # the account just joined becomes the current one
    assert b"Northwind" in client.get(reverse("home:home")).content


def test_anonymous_existing_user_is_asked_to_sign_in(client, outsider_pm, world):
    _, token = make_invitation(account=world.account, email=outsider_pm.email)
    response = client.get(reverse("partners:invitation-accept", args=[token]))
    assert b"Sign in to accept" in response.content
    assert b"password1" not in response.content


def test_expired_link_says_so_and_changes_nothing(client, world):
    invitation, token = make_invitation(
        account=world.account, email="late@example.com", validity=timedelta(days=-1)
    )
    url = reverse("partners:invitation-accept", args=[token])
    assert b"has expired" in client.get(url).content
    response = client.post(url, NEW_PERSON)
    assert response.status_code == 400
    assert b"has expired" in response.content
    assert not User.objects.filter(email="late@example.com").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_withdrawn_link_says_so(client, login, buyer_pm, world):
    invitation, token = make_invitation(account=world.account, email="gone@example.com")
    login(buyer_pm).post(reverse("partners:invitation-revoke", args=[invitation.pk]))
    response = client.post(reverse("partners:invitation-accept", args=[token]), NEW_PERSON)
    assert b"withdrawn" in response.content
    assert not User.objects.filter(email="gone@example.com").exists()


def test_link_for_someone_else_is_refused_to_the_signed_in_user(login, buyer_reviewer, world):
    _, token = make_invitation(account=world.account, email="someone@example.com")
    client = login(buyer_reviewer)
    url = reverse("partners:invitation-accept", args=[token])
    assert b"but you are signed in as" in client.get(url).content
    response = client.post(url)
    assert response.status_code == 400
    assert not Membership.objects.filter(account=world.account, user__email="someone@example.com")


def test_unknown_token_is_404(client, db):
    response = client.get(reverse("partners:invitation-accept", args=["not-a-real-token"]))
    assert response.status_code == 404


def test_inviting_an_existing_member_is_refused_and_nothing_is_sent(
    login, buyer_pm, buyer_reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(login(buyer_pm), buyer_reviewer.email.upper(), Role.EXECUTIVE)
    assert response.status_code == 200
    assert b"is already a member of Northwind (QA reviewer)" in response.content
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_again_replaces_the_earlier_link(login, buyer_pm, world):
    old, old_token = make_invitation(account=world.account, email="twice@example.com")
    invite(login(buyer_pm), "twice@example.com", Role.EXECUTIVE)
    old.refresh_from_db()
    assert old.status == Invitation.Status.REVOKED
    assert Invitation.objects.open().filter(email="twice@example.com").count() == 1


@pytest.mark.parametrize(
    ("role", "partner_name", "message"),
    [
        (Role.PARTNER_VIEWER, None, b"works for one partner: choose which"),
        (Role.EXECUTIVE, "harbor", b"buyer side: leave the partner empty"),
        (Role.PARTNER_VIEWER, "zanzibar", b"Select a valid choice"),
    ],
)
def test_role_and_partner_must_fit_together(login, buyer_pm, world, role, partner_name, message):
    partner = getattr(world, partner_name) if partner_name else None
    response = invite(login(buyer_pm), "fit@example.com", role, partner)
    assert response.status_code == 200
    assert message in response.content
    assert not Invitation.objects.exists()


def test_invalid_email_is_refused(login, buyer_pm):
    response = invite(login(buyer_pm), "not-an-email", Role.EXECUTIVE)
    assert b"Enter a valid email address" in response.content


def test_weak_password_is_refused_when_accepting(client, world):
    _, token = make_invitation(account=world.account, email="weak@example.com")
    response = client.post(
        reverse("partners:invitation-accept", args=[token]),
        {**NEW_PERSON, "password1": "password", "password2": "password"},
    )
    assert response.status_code == 400
    assert b"too common" in response.content
    assert not User.objects.filter(email="weak@example.com").exists()


@pytest.mark.parametrize("role_user", ["buyer_reviewer", "buyer_exec", "partner_lead"])
def test_only_program_managers_invite(role_user, request, login):
    user = request.getfixturevalue(role_user)
    assert invite(login(user), "x@example.com", Role.EXECUTIVE).status_code == 403
    assert not Invitation.objects.exists()


def test_mail_is_not_sent_for_an_invitation_withdrawn_before_the_task_ran(world):
    from partners.emails import invitation_send

    invitation, _ = make_invitation(
        account=world.account, email="slow@example.com", revoked_at=clock.now()
    )
    assert invitation_send(invitation_id=invitation.pk, accept_url="http://x/") == (
        "not sent: invitation is withdrawn"
    )
    assert mail.outbox == []


def test_member_list_shows_members_and_open_invitations(login, buyer_pm, partner_lead, world):
    make_invitation(account=world.account, email="pending@example.com")
    MembershipFactory(account=world.other_account, user=UserFactory(email="hidden@globex.test"))
    content = login(buyer_pm).get(reverse("partners:members")).content
    assert b"lead@harbor.test" in content
    assert b"pending@example.com" in content
    assert b"hidden@globex.test" not in content
