from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import AuditEvent, Membership, Role
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
