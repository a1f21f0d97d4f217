"""The cadence (docs/domain.md, "Cadence"): the sessions a partner's cadence makes due, created
ahead of time by the nightly task, and the reminders to reviewers whose session is due soon."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from calibration import domain
from calibration.models import (
    CalibrationSession,
    Rubric,
    SessionKind,
    SessionReviewer,
    SessionStatus,
)
from calibration.services.partner_settings import partner_settings
from calibration.services.rubrics import latest_version
from calibration.services.sessions import create_session, default_people
from core import clock
from partners.models import Partner


def _default_rubric(partner: Partner) -> Rubric | None:
    chosen = partner_settings(partner).rubric
    return chosen or Rubric.objects.filter(account_id=partner.account_id).order_by("pk").first()


def sessions_schedule(*, partner: Partner, today: date, ahead_days: int = 14) -> int:
    """Create the cadence's sessions due from today up to `ahead_days` ahead (idempotent).
    Returns how many were created."""
    if partner.go_live_date is None:
        return 0
    rubric = _default_rubric(partner)
    if rubric is None or not rubric.versions.exists():
        return 0
    cadence = domain.Cadence(partner_settings(partner).cadence)
    due = [
        d
        for d in domain.due_dates(partner.go_live_date, today + timedelta(days=ahead_days), cadence)
        if d >= today
    ]
    existing = set(
        CalibrationSession.objects.filter(
            partner=partner, kind=SessionKind.CADENCE, due_date__in=due
        ).values_list("due_date", flat=True)
    )
    facilitator, reviewers = default_people(partner)
    created = 0
    with transaction.atomic():
        version = latest_version(rubric)
        for day in due:
            if day in existing:
                continue
            create_session(
                partner=partner, version=version, kind=SessionKind.CADENCE, due=day,
                reason="", facilitator=facilitator, reviewers=reviewers,
            )  # fmt: skip
            created += 1
    return created


def reminders_send(*, today: date, within_days: int = 3, time_zone: str | None = None) -> int:
    """Remind reviewers who have not submitted, once, when their session is due soon. The
    message names the session and its due date only: never anyone's scores. With
    `time_zone`, only the sessions of accounts in that zone, whose date `today` is."""
    reviewers = SessionReviewer.objects.filter(
        session__status__in=(SessionStatus.PLANNED, SessionStatus.SCORING),
        session__due_date__lte=today + timedelta(days=within_days),
        submitted_at__isnull=True,
        reminded_at__isnull=True,
        **({"session__partner__account__time_zone": time_zone} if time_zone else {}),
    ).select_related("session__partner", "user")
    sent = 0
    for reviewer in reviewers:
        session = reviewer.session
        send_mail(
            f"Keel: calibration of {session.partner} due {session.due_date:%d %B}",
            f"Your scores for the calibration session of {session.partner} are due on "
            f"{session.due_date:%A %d %B %Y}. Score each interaction in Keel; nobody sees "
            "your scores until every reviewer has submitted.",
            settings.DEFAULT_FROM_EMAIL,
            [reviewer.user.email],
        )
        SessionReviewer.objects.filter(pk=reviewer.pk).update(reminded_at=clock.now())
        sent += 1
    return sent
