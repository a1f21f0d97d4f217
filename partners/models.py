"""Tenancy and rosters.

An `Account` is one buyer company, the tenant. Everything a user can see hangs off an
account, and every model that holds tenant data declares in `tenant_scope` how to reach
its account and its partner; `partners.scoping` reads that declaration and nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from functools import lru_cache
from typing import ClassVar
from zoneinfo import available_timezones

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from rest_framework_api_key.models import AbstractAPIKey

from core import clock
from core.scoping import BUYER_ROLES, PARTNER_ROLES, Role, TenantScope  # noqa: F401 (re-exported)


class UserManager(BaseUserManager["User"]):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Ours, not `django.contrib.auth.models.UserManager`: users sign in by email, so its
    # `create_user(username, ...)` does not fit, and the stubs declare that manager.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    """The IANA time zone names this server knows (from the system or the tzdata package)."""
    return frozenset(available_timezones())


def validate_time_zone(name: str) -> None:
    if name not in time_zone_names():
        raise ValidationError(
            "“%(name)s” is not a time zone Keel knows: use an IANA name such as Asia/Manila, "
            "America/New_York or UTC.",
            code="unknown_time_zone",
            params={"name": name},
        )


class Account(models.Model):
    """A buyer company: the tenant."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    require_mfa = models.BooleanField(
        default=False,
        help_text="Every member must set up an authenticator app before using Keel.",
    )
    # Days, weeks, months and quarters run in this zone: snapshots, band statuses and
    # settlements cut interactions at its midnights, and "today" is its date (docs/sla.md).
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The IANA time zone whose days, weeks and months Keel counts in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="pk")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    VOICE = "voice", "Voice"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    SOCIAL = "social", "Social messaging"


class DeliveryModel(models.TextChoices):
    ONSHORE = "onshore", "Onshore"
    NEARSHORE = "nearshore", "Nearshore"
    OFFSHORE = "offshore", "Offshore"


class Partner(models.Model):
    """A BPO vendor serving one account. The same vendor serving two buyers is two partners."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(max_length=200)
    delivery_model = models.CharField(max_length=20, choices=DeliveryModel.choices)
    country = models.CharField(max_length=100, blank=True)
    go_live_date = models.DateField(null=True, blank=True)
    in_house = models.BooleanField(
        default=False,
        help_text="The buyer's own team, imported like a partner to give the in-house baseline.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="account", partner="pk")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="partner_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def months_live(self, today: date) -> int | None:
        if self.go_live_date is None or self.go_live_date > today:
            return None
        return (today.year - self.go_live_date.year) * 12 + today.month - self.go_live_date.month


class InteractionType(models.Model):
    """A kind of contact the partner handles for the account (order status, billing, ...)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="interaction_types")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    is_brand_sensitive = models.BooleanField(
        default=False, help_text="Complaints, retention: work usually kept for year two."
    )
    is_routine = models.BooleanField(
        default=False, help_text="Scripted work such as status checks: a partner ramps in weeks."
    )

    tenant_scope = TenantScope(account="account")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "code"], name="interaction_type_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    channel = models.CharField(max_length=20, choices=Channel.choices)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AgentQuerySet(models.QuerySet["Agent"]):
    def active_on(self, day: date) -> AgentQuerySet:
        return self.filter(
            Q(leaving_date__isnull=True) | Q(leaving_date__gt=day), hire_date__lte=day
        )


class Agent(models.Model):
    """A partner's agent, known by the partner's own agent id."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agents")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="agents"
    )
    external_id = models.CharField(
        max_length=100, help_text="The partner's own id for this agent, as in its exports."
    )
    name = models.CharField(max_length=200)
    hire_date = models.DateField()
    leaving_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgentQuerySet.as_manager()

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "external_id"], name="agent_unique_id"),
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True) | Q(leaving_date__gte=models.F("hire_date")),
                name="agent_leaves_after_hire",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    def is_active_on(self, day: date) -> bool:
        return self.hire_date <= day and (self.leaving_date is None or self.leaving_date > day)

    def tenure_days(self, day: date) -> int:
        end = min(day, self.leaving_date) if self.leaving_date else day
        return max((end - self.hire_date).days, 0)


class Membership(models.Model):
    """A user's role in one account; partner roles are bound to one partner."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="account", buyer_only=True)

    class Meta:
        ordering = ["account__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=(
                    Q(role__in=[r.value for r in PARTNER_ROLES], partner__isnull=False)
                    | (~Q(role__in=[r.value for r in PARTNER_ROLES]) & Q(partner__isnull=True))
                ),
                name="membership_partner_iff_partner_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.account}"

    @property
    def is_partner_side(self) -> bool:
        return self.role in PARTNER_ROLES


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked (possibly expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self) -> InvitationQuerySet:
        return self.open().filter(expires_at__gt=clock.now())

    def by_token(self, token: str) -> InvitationQuerySet:
        return self.filter(token_hash=_hash_token(token))


class Invitation(models.Model):
    """An emailed link that makes its recipient a member with the given role.

    Only a hash of the link's token is stored; the token itself exists in the email.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # sent, can be accepted
        ACCEPTED = "accepted", "Accepted"  # the recipient joined
        REVOKED = "revoked", "Withdrawn"  # a program manager withdrew it, or re-sent it
        EXPIRED = "expired", "Expired"  # passed its expiry date unused

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=30, choices=Role.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    tenant_scope = TenantScope(account="account", buyer_only=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.account}"

    @classmethod
    def new_token(cls, validity: timedelta) -> tuple[str, dict[str, object]]:
        """A fresh token and the fields that store it (its hash and expiry)."""
        token = secrets.token_urlsafe(32)
        return token, {"token_hash": _hash_token(token), "expires_at": clock.now() + validity}

    @property
    def status(self) -> Invitation.Status:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= clock.now():
            return self.Status.EXPIRED
        return self.Status.PENDING


class ApiToken(AbstractAPIKey):
    """A token for integrations, owned by the account (not by a person).

    Only a hash is stored (djangorestframework-api-key); the key is shown once.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_tokens")
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text="Limit the token to this partner's data.",
    )
    read_only = models.BooleanField(default=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    tenant_scope = TenantScope(account="account", buyer_only=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API token"
        verbose_name_plural = "API tokens"


class AuditEvent(models.Model):
    """Who did what, and when: written in the same transaction as the change itself."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=60)
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    tenant_scope = TenantScope(account="account", buyer_only=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.summary
