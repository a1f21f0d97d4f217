"""Email Keel sends on the account's behalf: invitations. Called by Celery tasks."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from core import clock
from partners.models import Invitation


def invitation_send(*, invitation_id: int, accept_url: str) -> str:
    """Email the invitation link, unless it has been accepted, withdrawn or has expired."""
    invitation = Invitation.objects.select_related("account", "partner", "invited_by").get(
        pk=invitation_id
    )
    if invitation.status != Invitation.Status.PENDING:
        return f"not sent: invitation is {invitation.status.label.lower()}"
    context = {"invitation": invitation, "accept_url": accept_url}
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}You are invited to "
        f"{invitation.account.name}",
        message=render_to_string("partners/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=clock.now())
    return "sent"
