"""Viewers and people: who is asking (a signed-in member or an API token), and which
members of the account that viewer may pick as an owner, a reviewer or a facilitator.

The scoping primitives themselves (`Viewer`, `scope`, `get_scoped_or_404`, `ensure_in_scope`,
`require_role`) live in `core.scoping`, below every app; this module builds the viewer from
the account's memberships and tokens, which are this app's models.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from core.errors import DomainError
from core.scoping import Viewer
from partners.models import ApiToken, Membership, Partner, Role, User

if TYPE_CHECKING:
    from django.http import HttpRequest

SESSION_ACCOUNT_KEY = "keel_account_id"


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("account", "partner", "user")


def viewer_for_membership(membership: Membership) -> Viewer:
    return Viewer(
        account=membership.account,
        role=membership.role,
        partner=membership.partner,
        user=membership.user,
        membership=membership,
    )


def viewer_for_token(token: ApiToken) -> Viewer:
    # An integration acts with the rights of a program manager (or a partner QA lead when
    # the token is limited to one partner); `read_only` then removes every write.
    role = Role.PARTNER_QA_LEAD if token.partner_id else Role.PROGRAM_MANAGER
    return Viewer(account=token.account, role=role, partner=token.partner, token=token)


def viewer_for_request(request: HttpRequest) -> Viewer | None:
    """The viewer behind a request: an API token, or the signed-in user's current membership.

    The current membership is the one whose account the user last switched to (kept in the
    session); without one, the first of the user's accounts by name.
    """
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return viewer_for_token(auth)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    cached: Viewer | None = getattr(request, "_keel_viewer", None)
    if cached is not None and cached.user == user:
        return cached
    memberships = list(memberships_of(user))
    if not memberships:
        return None
    wanted = request.session.get(SESSION_ACCOUNT_KEY)
    chosen = next((m for m in memberships if m.account_id == wanted), memberships[0])
    viewer = viewer_for_membership(chosen)
    request._keel_viewer = viewer  # type: ignore[attr-defined]
    return viewer


def pickable_members(
    viewer: Viewer,
    *,
    partner: Partner | int | None = None,
    roles: Iterable[str] | None = None,
) -> QuerySet[Membership]:
    """The members `viewer` may pick as an owner, a reviewer or a facilitator.

    The buyer's people, plus the people of one partner: the viewer's own partner for a
    partner-side viewer (who knows nobody else's), `partner` when the pick is for that
    partner's work (a plan's partner owner, a session's reviewers), or every partner's when
    a buyer-side viewer picks for no partner in particular. `roles` narrows the list.
    """
    members = Membership.objects.filter(account_id=viewer.account_id)
    partner_id = partner.pk if isinstance(partner, Partner) else partner
    if viewer.is_partner_side:
        partner_id = viewer.partner_id
    if partner_id is not None:
        members = members.filter(Q(partner__isnull=True) | Q(partner_id=partner_id))
    if roles is not None:
        members = members.filter(role__in=tuple(roles))
    return members.select_related("user", "partner")


def pickable_member(
    viewer: Viewer,
    user: User | int | None,
    *,
    field: str,
    partner: Partner | int | None = None,
    roles: Iterable[str] | None = None,
) -> Membership | None:
    """The membership of `user` (a user or a user id) among `pickable_members`, or a refusal
    naming `field`. `None` passes through: an optional pick left empty."""
    if user is None:
        return None
    user_id = user.pk if isinstance(user, User) else user
    membership = (
        pickable_members(viewer, partner=partner, roles=roles).filter(user_id=user_id).first()
    )
    if membership is None:
        raise DomainError(f"User {user_id} is not a member you can choose here.", field=field)
    return membership
