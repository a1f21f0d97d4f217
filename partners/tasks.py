"""Celery tasks for tenancy. Thin: they take ids and call a service."""

from __future__ import annotations

from importlib import import_module

from celery import shared_task
from django.conf import settings

from partners.emails import invitation_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send_task(invitation_id: int, accept_url: str) -> str:
    """Email an invitation link. Retries when the mail server cannot be reached."""
    return invitation_send(invitation_id=invitation_id, accept_url=accept_url)


@shared_task(ignore_result=True)
def sessions_clear_expired_task() -> None:
    """Delete expired sessions, as Django's `clearsessions` command does."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
