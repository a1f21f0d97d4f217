"""The scoping primitives every service and view goes through (core.scoping) and the list
of people a viewer may pick (partners.scoping): reads, writes, roles and people."""

from __future__ import annotations

import pytest
from django.http import Http404

from core.errors import DomainError
from core.scoping import (
    Role,
    Viewer,
    ensure_in_scope,
    get_scoped_or_404,
    in_scope,
    require_role,
    scope,
)
from partners.models import Agent, Membership, Partner
from partners.scoping import pickable_member, pickable_members
from tests.factories.partners import AgentFactory, MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants():
    """Two partners of one account, and a partner of another account."""
    alpha = PartnerFactory(name="Alpha")
    beta = PartnerFactory(name="Beta", account=alpha.account)
    foreign = PartnerFactory(name="Foreign")
    return alpha, beta, foreign


def buyer(partner: Partner, role: str = Role.PROGRAM_MANAGER) -> Viewer:
    return Viewer(account=partner.account, role=role)


def partner_side(partner: Partner, role: str = Role.PARTNER_QA_LEAD) -> Viewer:
    return Viewer(account=partner.account, role=role, partner=partner)


def test_in_scope_is_the_read_rule_for_one_object(tenants) -> None:
    alpha, beta, foreign = tenants
    agents = {p.name: AgentFactory(partner=p) for p in tenants}
    for viewer in (buyer(alpha), partner_side(alpha), partner_side(beta)):
        visible = set(scope(Agent, viewer).values_list("pk", flat=True))
        for agent in agents.values():
            assert in_scope(agent, viewer) == (agent.pk in visible)
    assert in_scope(agents["Beta"], buyer(alpha))
    assert not in_scope(agents["Beta"], partner_side(alpha))
    assert not in_scope(agents["Foreign"], buyer(alpha))


def test_buyer_only_data_is_out_of_scope_for_partner_side_viewers(tenants) -> None:
    alpha, _, _ = tenants
    membership = MembershipFactory(account=alpha.account)
    assert in_scope(membership, buyer(alpha))
    assert not in_scope(membership, partner_side(alpha))
    assert not scope(Membership, partner_side(alpha)).exists()


def test_ensure_in_scope_refuses_like_a_404_naming_the_field(tenants) -> None:
    alpha, _, foreign = tenants
    ensure_in_scope(alpha, buyer(alpha))
    ensure_in_scope(None, buyer(alpha))  # an optional choice left empty
    with pytest.raises(DomainError) as refused:
        ensure_in_scope(foreign, buyer(alpha), field="partner")
    assert (refused.value.message, refused.value.code, refused.value.field) == (
        "No such partner.", "not_found", "partner",
    )  # fmt: skip
    with pytest.raises(DomainError, match="No such contract."):
        ensure_in_scope(foreign, buyer(alpha), message="No such contract.")


def test_get_scoped_or_404_hides_other_tenants(tenants) -> None:
    alpha, beta, foreign = tenants
    assert get_scoped_or_404(Partner, buyer(alpha), pk=beta.pk) == beta
    for viewer, pk in ((buyer(alpha), foreign.pk), (partner_side(alpha), beta.pk),
                       (buyer(alpha), "not a number")):  # fmt: skip
        with pytest.raises(Http404):
            get_scoped_or_404(Partner, viewer, pk=pk)


def test_require_role_has_one_code_and_names_the_roles(tenants) -> None:
    alpha, _, _ = tenants
    require_role(buyer(alpha), (Role.PROGRAM_MANAGER,), what="approve settlements")
    with pytest.raises(DomainError) as refused:
        require_role(buyer(alpha, Role.EXECUTIVE), (Role.PROGRAM_MANAGER,),
                     what="approve settlements")  # fmt: skip
    assert refused.value.code == "permission_denied"
    assert refused.value.message == "Only program managers approve settlements."
    with pytest.raises(DomainError) as refused:
        require_role(partner_side(alpha, Role.PARTNER_VIEWER),
                     (Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD), what="update plans")  # fmt: skip
    assert refused.value.message == "Only program managers and partner QA leads update plans."


def test_a_read_only_token_is_refused_every_write(tenants) -> None:
    alpha, _, _ = tenants

    class ReadOnlyToken:
        read_only = True
        name = "BI export"

    viewer = Viewer(account=alpha.account, role=Role.PROGRAM_MANAGER, token=ReadOnlyToken())  # type: ignore[arg-type]
    with pytest.raises(DomainError) as refused:
        require_role(viewer, (Role.PROGRAM_MANAGER,), what="change contracts")
    assert refused.value.code == "permission_denied"


def test_pickable_members_are_the_buyer_and_one_partner(tenants) -> None:
    alpha, beta, foreign = tenants
    account = alpha.account
    pm = MembershipFactory(account=account, role=Role.PROGRAM_MANAGER)
    reviewer = MembershipFactory(account=account, role=Role.QA_REVIEWER)
    alpha_lead = MembershipFactory(account=account, role=Role.PARTNER_QA_LEAD, partner=alpha)
    beta_lead = MembershipFactory(account=account, role=Role.PARTNER_QA_LEAD, partner=beta)
    MembershipFactory(account=foreign.account, role=Role.PROGRAM_MANAGER)

    def picked(viewer: Viewer, **kwargs: object) -> set[Membership]:
        return set(pickable_members(viewer, **kwargs))  # type: ignore[arg-type]

    assert picked(buyer(alpha)) == {pm, reviewer, alpha_lead, beta_lead}
    assert picked(buyer(alpha), partner=alpha) == {pm, reviewer, alpha_lead}
    assert picked(buyer(alpha), partner=alpha, roles=[Role.QA_REVIEWER]) == {reviewer}
    # A partner user knows the buyer's people and its own partner's, nobody else's.
    assert picked(partner_side(alpha)) == {pm, reviewer, alpha_lead}
    assert picked(partner_side(alpha), partner=beta) == {pm, reviewer, alpha_lead}

    assert pickable_member(buyer(alpha), alpha_lead.user, field="owner") == alpha_lead
    assert pickable_member(buyer(alpha), None, field="owner") is None
    with pytest.raises(DomainError) as refused:
        pickable_member(partner_side(alpha), beta_lead.user_id, field="owner")
    assert refused.value.field == "owner"
