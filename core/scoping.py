"""The one place that answers "which tenant data may this viewer see, and change".

A `Viewer` is whoever is asking: a member of an account acting through the browser or the
API (session), or an integration holding an API token (`partners.scoping` builds it from a
request). Every HTML view, API view and service reaches tenant data through this module:

- reads: `scope()` filters a queryset by the viewer's account and, for partner-side
  viewers, by their partner; `get_scoped_or_404()` fetches one object that way, so another
  tenant's object is a 404, never the data and never a hint that it exists;
- writes: `ensure_in_scope()` refuses an object (handed to a service by a form, a
  serializer or a command) that lies outside the viewer's scope;
- roles: `require_role()` refuses a viewer without one of the roles a write needs, or one
  acting through a read-only token, always with the code `permission_denied`.

Models declare how to reach their account and partner in a `tenant_scope` attribute; a
model without one cannot be scoped, so it cannot be shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import Http404

from core.errors import DomainError

if TYPE_CHECKING:
    from partners.models import Account, ApiToken, Membership, Partner, User

M = TypeVar("M", bound=models.Model)

PERMISSION_DENIED = "permission_denied"
NOT_FOUND = "not_found"


class Role(models.TextChoices):
    """What a member may do in an account. Buyer-side roles see every partner of the account;
    partner-side roles are bound to one partner and see only its data."""

    # Buyer side.
    PROGRAM_MANAGER = "program_manager", "Program manager"  # owns the relationship
    QA_REVIEWER = "qa_reviewer", "QA reviewer"  # scores interactions in calibration
    EXECUTIVE = "executive", "Executive"  # reads the QBR
    # Partner side: always bound to one partner.
    PARTNER_QA_LEAD = "partner_qa_lead", "Partner QA lead"  # uploads data, scores, remediates
    PARTNER_VIEWER = "partner_viewer", "Partner viewer"  # reads its own scorecards


# Tuples, not sets: the membership constraint is built from them and must be stable.
BUYER_ROLES = (Role.PROGRAM_MANAGER, Role.QA_REVIEWER, Role.EXECUTIVE)
PARTNER_ROLES = (Role.PARTNER_QA_LEAD, Role.PARTNER_VIEWER)


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


def _tenant_scope(model: type[models.Model]) -> TenantScope:
    tenant_scope: TenantScope | None = getattr(model, "tenant_scope", None)
    if tenant_scope is None:
        raise ImproperlyConfigured(
            f"{model.__name__} declares no tenant_scope, so it cannot be shown to users."
        )
    return tenant_scope


def scope(queryset: models.QuerySet[M] | type[M], viewer: Viewer) -> models.QuerySet[M]:
    """Restrict `queryset` (or a model's default queryset) to what `viewer` may see."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    tenant_scope = _tenant_scope(qs.model)
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


def _follow_id(obj: models.Model, path: str) -> Any:
    """The primary key at the end of a lookup path ("partner__account"), read from the object
    and its already-loaded relations (`<field>_id`), as the hand-written guards did."""
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    target: Any = obj
    for hop in hops:
        target = getattr(target, hop)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None) if hasattr(target, f"{last}_id") else None


def in_scope(obj: models.Model, viewer: Viewer) -> bool:
    """Whether `viewer` may see `obj`: the same rule as `scope()`, for one loaded object."""
    tenant_scope = _tenant_scope(type(obj))
    if _follow_id(obj, tenant_scope.account) != viewer.account_id:
        return False
    if viewer.is_partner_side:
        if tenant_scope.buyer_only:
            return False
        if tenant_scope.partner is not None:
            return bool(_follow_id(obj, tenant_scope.partner) == viewer.partner_id)
    return True


def ensure_in_scope(
    obj: models.Model | None,
    viewer: Viewer,
    *,
    field: str | None = None,
    message: str | None = None,
) -> None:
    """Refuse an object outside the viewer's scope before a service writes with it.

    The refusal reads like a 404 ("No such partner."): a viewer learns nothing about another
    tenant's objects, not even that they exist. `None` passes (an optional choice left empty).
    """
    if obj is None or in_scope(obj, viewer):
        return
    name = type(obj)._meta.verbose_name
    raise DomainError(message or f"No such {name}.", code=NOT_FOUND, field=field)


def require_role(viewer: Viewer, roles: Iterable[str], *, what: str) -> None:
    """Refuse a write to a viewer without one of `roles`, or acting through a read-only token.

    `what` finishes the sentence "Only <roles> ...": e.g. "change contracts and settlements".
    Every service checks roles here, so every refusal carries the one code
    `permission_denied`, in pages and in the API's error body alike.
    """
    roles = tuple(roles)
    if viewer.read_only or viewer.role not in roles:
        raise DomainError(f"Only {_role_names(roles)} {what}.", code=PERMISSION_DENIED)


def _role_names(roles: tuple[str, ...]) -> str:
    labels = [_plural(str(Role(role).label)) for role in roles]
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _plural(label: str) -> str:
    """ "Program manager" → "program managers"; an acronym keeps its capitals ("QA reviewers",
    "partner QA leads")."""
    first = label[:1].lower() if label[1:2].islower() else label[:1]
    return first + label[1:] + "s"
