from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import DomainError
from partners.models import AuditEvent, Membership, Role
from partners.scoping import viewer_for_membership, viewer_for_token
from partners.services import account_set_mfa_requirement, api_token_create, membership_remove
from tests.factories.partners import MembershipFactory


def test_program_manager_changes_a_members_role(login, buyer_pm, buyer_reviewer, world):
    membership = Membership.objects.get(user=buyer_reviewer)
    response = login(buyer_pm).post(
        reverse("partners:membership-update", args=[membership.pk]),
        {"role": Role.PARTNER_VIEWER, "partner": world.pacific.pk},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.partner) == (Role.PARTNER_VIEWER, world.pacific)
    assert AuditEvent.objects.filter(action="membership.update").exists()


def test_the_last_program_manager_cannot_be_demoted(login, buyer_pm):
    membership = Membership.objects.get(user=buyer_pm)
    response = login(buyer_pm).post(
        reverse("partners:membership-update", args=[membership.pk]), {"role": Role.EXECUTIVE}
    )
    assert response.status_code == 200
    assert b"at least one program manager" in response.content
    assert Membership.objects.get(pk=membership.pk).role == Role.PROGRAM_MANAGER


def test_program_manager_removes_a_member(login, buyer_pm, partner_viewer):
    membership = Membership.objects.get(user=partner_viewer)
    response = login(buyer_pm).post(reverse("partners:membership-remove", args=[membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # the person loses access at once
    assert login(partner_viewer).get(reverse("partners:partner-list")).status_code == 403


def test_the_only_program_manager_cannot_be_removed(login, buyer_pm):
    membership = Membership.objects.get(user=buyer_pm)
    response = login(buyer_pm).post(
        reverse("partners:membership-remove", args=[membership.pk]), follow=True
    )
    assert b"only program manager" in response.content
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_members_page_query_count_does_not_grow_with_members(login, buyer_pm, world):
    client = login(buyer_pm)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("partners:members")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(30):
        MembershipFactory(account=world.account, role=Role.PARTNER_VIEWER, partner=world.harbor)
    assert count() == few


@pytest.mark.parametrize("who", ["buyer_reviewer", "buyer_exec", "partner_lead"])
def test_only_program_managers_manage_members_and_the_refusal_says_so(who, request, buyer_pm):
    # given: a member who is not a program manager, and a member to act on
    viewer = viewer_for_membership(Membership.objects.get(user=request.getfixturevalue(who)))
    target = Membership.objects.get(user=buyer_pm)
    # when / then: every tenancy write refuses with the one code for a missing role
    for write in (
        lambda: membership_remove(viewer=viewer, membership=target),
        lambda: account_set_mfa_requirement(viewer=viewer, required=True),
    ):
        with pytest.raises(DomainError) as refused:
            write()
        assert refused.value.code == "permission_denied"
        assert refused.value.message.startswith("Only program managers ")
    assert Membership.objects.filter(pk=target.pk).exists()


def test_a_read_only_token_cannot_manage_members(buyer_pm, world):
    membership = Membership.objects.get(user=buyer_pm)
    token, _ = api_token_create(
        viewer=viewer_for_membership(membership), name="Reports", partner=None, read_only=True
    )
    with pytest.raises(DomainError) as refused:
        membership_remove(viewer=viewer_for_token(token), membership=membership)
    assert refused.value.code == "permission_denied"
