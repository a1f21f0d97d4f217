"""Writes for tenancy: invitations, memberships, API tokens, partners, account settings.

Each service checks the viewer's rights, runs in one transaction, records who did it in an
`AuditEvent` in that same transaction, and enqueues follow-up work on commit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import clock
from core.errors import DomainError
from core.scoping import Viewer, ensure_in_scope, require_role
from partners.models import (
    PARTNER_ROLES,
    Account,
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    Partner,
    Role,
    User,
    validate_time_zone,
)
from partners.signals import account_time_zone_changed
from partners.tasks import invitation_send_task


def audit_record(
    *, account: Account, actor: User | None, action: str, summary: str, **details: Any
) -> AuditEvent:
    return AuditEvent.objects.create(
        account=account, actor=actor, action=action, summary=summary, details=details
    )


def _check_role_and_partner(viewer: Viewer, role: str, partner: Partner | None) -> None:
    if role not in Role.values:
        raise DomainError(f"'{role}' is not a role in Keel.", code="invalid_role", field="role")
    if role in PARTNER_ROLES:
        if partner is None:
            raise DomainError(
                f"A {Role(role).label} works for one partner: choose which.",
                code="partner_required",
                field="partner",
            )
        ensure_in_scope(
            partner, viewer, field="partner", message="That partner is not part of this account."
        )
    elif partner is not None:
        raise DomainError(
            f"A {Role(role).label} is on the buyer side and is not bound to a partner.",
            code="partner_not_allowed",
            field="partner",
        )


# INVITATIONS
# ------------------------------------------------------------------------------


def invitation_create(
    *, viewer: Viewer, email: str, role: str, partner: Partner | None, accept_url_template: str
) -> Invitation:
    """Invite `email` to the viewer's account; the email is sent once the invitation is saved.

    `accept_url_template` is the absolute accept URL with `{token}` where the token goes.
    An earlier open invitation to the same address is withdrawn: the newest link wins.
    """
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="invite people")
    email = email.strip().lower()
    _check_role_and_partner(viewer, role, partner)
    existing = (
        Membership.objects.filter(account=viewer.account, user__email__iexact=email)
        .select_related("partner")
        .first()
    )
    if existing is not None:
        raise DomainError(
            f"{email} is already a member of {viewer.account.name} "
            f"({existing.get_role_display()}); change their role on the members page instead.",
            code="already_member",
            field="email",
        )
    token, token_fields = Invitation.new_token(timedelta(days=settings.KEEL_INVITATION_DAYS))
    with transaction.atomic():
        now = clock.now()
        Invitation.objects.open().filter(account=viewer.account, email=email).update(revoked_at=now)
        invitation = Invitation.objects.create(
            account=viewer.account,
            email=email,
            role=role,
            partner=partner,
            invited_by=viewer.user,
            **token_fields,
        )
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="invitation.create",
            summary=f"Invited {email} as {invitation.get_role_display()}"
            + (f" for {partner.name}" if partner else ""),
            invitation_id=invitation.pk,
        )
        accept_url = accept_url_template.format(token=token)
        transaction.on_commit(lambda: invitation_send_task.delay(invitation.pk, accept_url))
    return invitation


def invitation_revoke(*, viewer: Viewer, invitation: Invitation) -> None:
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="withdraw invitations")
    if invitation.status != Invitation.Status.PENDING:
        raise DomainError(
            f"This invitation is already {invitation.status.label.lower()}.", code="not_pending"
        )
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=clock.now())
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="invitation.revoke",
            summary=f"Withdrew the invitation for {invitation.email}",
            invitation_id=invitation.pk,
        )


def invitation_check_acceptable(invitation: Invitation) -> None:
    """Raise a DomainError saying why this invitation cannot be accepted, if it cannot."""
    status = invitation.status
    if status == Invitation.Status.EXPIRED:
        raise DomainError(
            "This invitation has expired. Ask the program manager who invited you to send a "
            "new one.",
            code="expired",
        )
    if status == Invitation.Status.REVOKED:
        raise DomainError(
            "This invitation was withdrawn or replaced by a newer one: use the latest email.",
            code="revoked",
        )
    if status == Invitation.Status.ACCEPTED:
        raise DomainError("This invitation has already been used.", code="accepted")


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Make `user` a member; the invitation is for their address and still pending."""
    invitation_check_acceptable(invitation)
    if user.email.lower() != invitation.email.lower():
        raise DomainError(
            f"This invitation is for {invitation.email}, but you are signed in as "
            f"{user.email}. Sign out and open the link again.",
            code="wrong_user",
        )
    with transaction.atomic():
        # Lock the row so that a double click cannot accept twice.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_check_acceptable(invitation)
        if Membership.objects.filter(user=user, account_id=invitation.account_id).exists():
            raise DomainError(
                f"You are already a member of {invitation.account.name}.", code="already_member"
            )
        membership = Membership.objects.create(
            user=user,
            account_id=invitation.account_id,
            role=invitation.role,
            partner_id=invitation.partner_id,
        )
        invitation.accepted_at = clock.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            account=invitation.account,
            actor=user,
            action="invitation.accept",
            summary=f"{user.email} joined as {membership.get_role_display()}",
            invitation_id=invitation.pk,
            membership_id=membership.pk,
        )
    return membership


def user_create_for_invitation(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> tuple[User, Membership]:
    """A new person accepts: create their login (email verified by the link) and membership."""
    invitation_check_acceptable(invitation)
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    invitation.email, password, first_name=first_name, last_name=last_name
                )
        except IntegrityError:
            raise DomainError(
                f"A login for {invitation.email} already exists: sign in to accept.",
                code="user_exists",
            ) from None
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        membership = invitation_accept(invitation=invitation, user=user)
    return user, membership


# MEMBERS
# ------------------------------------------------------------------------------


def _other_program_managers(membership: Membership) -> bool:
    return (
        Membership.objects.filter(account_id=membership.account_id, role=Role.PROGRAM_MANAGER)
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_update(
    *, viewer: Viewer, membership: Membership, role: str, partner: Partner | None
) -> Membership:
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="change members' roles")
    _check_role_and_partner(viewer, role, partner)
    if (
        membership.role == Role.PROGRAM_MANAGER
        and role != Role.PROGRAM_MANAGER
        and not _other_program_managers(membership)
    ):
        raise DomainError(
            "An account needs at least one program manager: make someone else program manager "
            "first.",
            code="last_program_manager",
            field="role",
        )
    with transaction.atomic():
        before = membership.get_role_display()
        membership.role = role
        membership.partner = partner
        membership.save(update_fields=["role", "partner"])
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="membership.update",
            summary=f"Changed {membership.user.email} from {before} to "
            f"{membership.get_role_display()}" + (f" for {partner.name}" if partner else ""),
            membership_id=membership.pk,
        )
    return membership


def membership_remove(*, viewer: Viewer, membership: Membership) -> None:
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="remove members")
    if membership.role == Role.PROGRAM_MANAGER and not _other_program_managers(membership):
        raise DomainError(
            "This is the account's only program manager, who cannot be removed.",
            code="last_program_manager",
        )
    with transaction.atomic():
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="membership.remove",
            summary=f"Removed {membership.user.email} ({membership.get_role_display()})",
            user_id=membership.user_id,
        )
        membership.delete()


# ACCOUNT SETTINGS AND TOKENS
# ------------------------------------------------------------------------------


def account_set_mfa_requirement(*, viewer: Viewer, required: bool) -> None:
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="change the two-factor requirement")
    with transaction.atomic():
        Account.objects.filter(pk=viewer.account_id).update(require_mfa=required)
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="account.mfa",
            summary="Required two-factor authentication for every member"
            if required
            else "Made two-factor authentication optional",
        )


def account_set_time_zone(*, viewer: Viewer, time_zone: str) -> bool:
    """Set the time zone whose days, weeks and months the account counts in. Returns whether
    it changed. Once the change commits, the account's KPI snapshots are recomputed and its
    SLA months re-evaluated in the background (the receivers of `account_time_zone_changed`)."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="change the account's time zone")
    name = time_zone.strip()
    try:
        validate_time_zone(name)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="unknown_time_zone", field="time_zone") from None
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=viewer.account_id)
        before = account.time_zone
        if before == name:
            return False
        Account.objects.filter(pk=account.pk).update(time_zone=name)
        audit_record(
            account=account,
            actor=viewer.user,
            action="account.time_zone",
            summary=f"Changed the time zone from {before} to {name}: days, weeks and months "
            "are re-cut",
            before=before,
            after=name,
        )
        transaction.on_commit(
            lambda: account_time_zone_changed.send(sender=Account, account_id=account.pk)
        )
    viewer.account.time_zone = name
    return True


def api_token_create(
    *, viewer: Viewer, name: str, partner: Partner | None, read_only: bool
) -> tuple[ApiToken, str]:
    """Create a token; the returned key is shown once and never stored in clear."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="create API tokens")
    name = name.strip()
    if not name:
        raise DomainError("Give the token a name that says what uses it.", field="name")
    ensure_in_scope(
        partner, viewer, field="partner", message="That partner is not part of this account."
    )
    with transaction.atomic():
        created, key = ApiToken.objects.create_key(
            name=name,
            account=viewer.account,
            partner=partner,
            read_only=read_only,
            created_by=viewer.user,
        )
        # The manager is typed for the abstract key model; it creates this model's rows.
        token = cast(ApiToken, created)
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="api_token.create",
            summary=f"Created API token “{name}” ({token.prefix}…)"
            + (" read-only" if read_only else "")
            + (f" for {partner.name}" if partner else ""),
            token_prefix=token.prefix,
        )
    return token, key


def api_token_revoke(*, viewer: Viewer, token: ApiToken) -> None:
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="revoke API tokens")
    if token.revoked:
        raise DomainError("This token is already revoked.", code="revoked")
    with transaction.atomic():
        token.revoked = True
        token.revoked_at = clock.now()
        token.revoked_by = viewer.user
        token.save(update_fields=["revoked", "revoked_at", "revoked_by"])
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="api_token.revoke",
            summary=f"Revoked API token “{token.name}” ({token.prefix}…)",
            token_prefix=token.prefix,
        )


# PARTNERS
# ------------------------------------------------------------------------------


def partner_save(*, viewer: Viewer, partner: Partner) -> Partner:
    """Create or update a partner of the viewer's account (the form has validated fields)."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="add or edit partners")
    creating = partner.pk is None
    partner.account = viewer.account
    if (
        Partner.objects.filter(account=viewer.account, name__iexact=partner.name)
        .exclude(pk=partner.pk)
        .exists()
    ):
        raise DomainError(
            f"{viewer.account.name} already has a partner called {partner.name}.", field="name"
        )
    with transaction.atomic():
        partner.save()
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="partner.create" if creating else "partner.update",
            summary=("Added partner " if creating else "Updated partner ") + partner.name,
            partner_id=partner.pk,
        )
    return partner
