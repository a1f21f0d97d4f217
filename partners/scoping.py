"""The one place that answers "which tenant data may this viewer see".

A `Viewer` is whoever is asking: a member of an account acting through the browser or the
API (session), or an integration holding an API token. Every HTML view and API view gets
its querysets from `scope()`, which filters by the viewer's account and, for partner-side
viewers, by their partner. Models declare how to reach their account and partner in a
`tenant_scope` attribute; a model without one cannot be scoped, so it cannot be shown.

A partner user asking for another partner's or another account's object gets a 404
(`get_scoped_or_404`), never the data and never a hint that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.http import HttpRequest

    from partners.models import Account, ApiToken, Membership, Partner, User

M = TypeVar("M", bound=models.Model)

SESSION_ACCOUNT_KEY = "keel_account_id"


@dataclass(frozen=True)
class TenantScope:
    """How a model reaches its tenant.

    account: lookup path from the model to its `Account` ("pk" for Account itself).
    partner: lookup path to its `Partner`; None for account-wide data that every member
        of the account may read (interaction types, later rubrics).
    buyer_only: partner-side viewers see none of it (memberships, invitations, tokens).
    """

    account: str
    partner: str | None = None
    buyer_only: bool = False


@dataclass(frozen=True)
class Viewer:
    """Who is asking, in which account, with which role."""

    account: Account
    role: str
    partner: Partner | None = None
    user: User | None = None
    membership: Membership | None = None
    token: ApiToken | None = None

    @property
    def account_id(self) -> int:
        return self.account.pk

    @property
    def partner_id(self) -> int | None:
        return self.partner.pk if self.partner else None

    @property
    def is_partner_side(self) -> bool:
        return self.partner is not None

    @property
    def is_buyer_side(self) -> bool:
        return self.partner is None

    @property
    def read_only(self) -> bool:
        return bool(self.token and self.token.read_only)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def label(self) -> str:
        """Who acted, as the record names them: a person, or an integration's token."""
        if self.user is not None:
            return self.user.display_name
        if self.token is not None:
            return f"API token '{self.token.name}'"
        return "Keel"


def scope(queryset: models.QuerySet[M] | type[M], viewer: Viewer) -> models.QuerySet[M]:
    """Restrict `queryset` (or a model's default queryset) to what `viewer` may see."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    tenant_scope: TenantScope | None = getattr(qs.model, "tenant_scope", None)
    if tenant_scope is None:
        raise ImproperlyConfigured(
            f"{qs.model.__name__} declares no tenant_scope, so it cannot be shown to users."
        )
    qs = qs.filter(**{tenant_scope.account: viewer.account_id})
    if viewer.is_partner_side:
        if tenant_scope.buyer_only:
            return qs.none()
        if tenant_scope.partner is not None:
            qs = qs.filter(**{tenant_scope.partner: viewer.partner_id})
    return qs


def get_scoped_or_404(queryset: models.QuerySet[M] | type[M], viewer: Viewer, **lookup: Any) -> M:
    try:
        return scope(queryset, viewer).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such object.") from None


def memberships_of(user: User) -> models.QuerySet[Membership]:
    from partners.models import Membership

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
    from partners.models import Role

    # An integration acts with the rights of a program manager (or a partner QA lead when
    # the token is limited to one partner); `read_only` then removes every write.
    role = Role.PARTNER_QA_LEAD if token.partner_id else Role.PROGRAM_MANAGER
    return Viewer(account=token.account, role=role, partner=token.partner, token=token)


def viewer_for_request(request: HttpRequest) -> Viewer | None:
    """The viewer behind a request: an API token, or the signed-in user's current membership.

    The current membership is the one whose account the user last switched to (kept in the
    session); without one, the first of the user's accounts by name.
    """
    from partners.models import ApiToken

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
