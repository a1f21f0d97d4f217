"""Setting up calibration sessions: planning one, its reviewers, and the interactions it
calibrates (drawn at random by Keel, or added by hand). Scoring opens with the first
interaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max

from calibration import domain
from calibration.models import (
    CalibrationSession,
    Rubric,
    RubricVersion,
    SessionItem,
    SessionKind,
    SessionReviewer,
    SessionStatus,
    Side,
)
from calibration.services.partner_settings import partner_settings
from calibration.services.roles import SCORERS, require_facilitator
from calibration.services.rubrics import latest_version
from core import clock
from core.errors import DomainError
from core.scoping import Viewer, ensure_in_scope, require_role
from kpis.models import Interaction
from partners.models import Channel, Membership, Partner, Role, User
from partners.scoping import pickable_members


def default_people(partner: Partner) -> tuple[User | None, list[tuple[User, Side]]]:
    """Who runs and who reviews a session of `partner` when nobody chose: the account's first
    program manager facilitates; its QA reviewers and the partner's QA leads review."""
    members = Membership.objects.filter(account_id=partner.account_id).select_related("user")
    facilitator = next((m.user for m in members if m.role == Role.PROGRAM_MANAGER), None)
    reviewers = [(m.user, Side.BUYER) for m in members if m.role == Role.QA_REVIEWER]
    reviewers += [
        (m.user, Side.PARTNER)
        for m in members
        if m.role == Role.PARTNER_QA_LEAD and m.partner_id == partner.pk
    ]
    return facilitator, reviewers


def create_session(
    *, partner: Partner, version: RubricVersion, kind: str, due: date, reason: str,
    facilitator: User | None, reviewers: Sequence[tuple[User, str]],
) -> CalibrationSession:  # fmt: skip
    """A session and its reviewers, checked by the caller; its period is the four weeks
    before it is due."""
    session = CalibrationSession.objects.create(
        partner=partner, version=version, facilitator=facilitator, kind=kind, reason=reason,
        due_date=due, period_start=due - timedelta(days=28), period_end=due - timedelta(days=1),
    )  # fmt: skip
    SessionReviewer.objects.bulk_create(
        SessionReviewer(session=session, user=user, side=side) for user, side in reviewers
    )
    return session


def _reviewer_membership(viewer: Viewer, partner: Partner, user: User, *, field: str) -> Membership:
    """The membership of someone who may review `partner`'s interactions: the buyer's people
    and the partner's own."""
    membership = pickable_members(viewer, partner=partner).filter(user=user).first()
    if membership is None:
        raise DomainError(f"{user} cannot review {partner}'s interactions.", field=field)
    return membership


def session_create(
    *, viewer: Viewer, partner: Partner, rubric: Rubric, due_date: date, reason: str,
    reviewers: Sequence[User] = (),
) -> CalibrationSession:  # fmt: skip
    """An ad hoc session (a new interaction type, a quality dip), facilitated by the viewer."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="plan calibration sessions")
    ensure_in_scope(partner, viewer, message="No such partner or rubric.")
    ensure_in_scope(rubric, viewer, message="No such partner or rubric.")
    if not reason.strip():
        raise DomainError("Say why this session is needed.", field="reason")
    people = []
    for user in reviewers or [u for u, _ in default_people(partner)[1]]:
        membership = _reviewer_membership(viewer, partner, user, field="reviewers")
        people.append((user, Side.PARTNER if membership.partner_id else Side.BUYER))
    with transaction.atomic():
        session = create_session(
            partner=partner, version=latest_version(rubric), kind=SessionKind.AD_HOC,
            due=due_date, reason=reason.strip(), facilitator=viewer.user, reviewers=people,
        )  # fmt: skip
    return session


def reviewer_add(*, viewer: Viewer, session: CalibrationSession, user: User) -> SessionReviewer:
    require_facilitator(viewer, session)
    if session.is_revealed:
        raise DomainError("The session is revealed: reviewers can no longer join.")
    membership = _reviewer_membership(viewer, session.partner, user, field="user")
    if membership.role not in SCORERS:
        raise DomainError(f"{user} is not a QA reviewer, QA lead or program manager.",
                          field="user")  # fmt: skip
    reviewer, _ = SessionReviewer.objects.get_or_create(
        session=session, user=user,
        defaults={"side": Side.PARTNER if membership.partner_id else Side.BUYER},
    )  # fmt: skip
    return reviewer


def period_range(session: CalibrationSession) -> tuple[datetime, datetime]:
    """The session's period as times (the account's days, as KPI snapshots count them): a
    range the database can use its index on, unlike a date cast of every row."""
    zone = clock.zone(session.partner.account)
    return (
        clock.start_of(session.period_start, zone),
        datetime.combine(session.period_end, time.max, tzinfo=zone),
    )


def draw_items(*, viewer: Viewer, session: CalibrationSession, size: int | None = None) -> int:
    """Keel draws the interactions at random from the session's period, stratified by
    channel and type, with a low-CSAT contact when there is one. The partner does not
    choose. Returns how many were drawn."""
    require_facilitator(viewer, session)
    if (
        session.status != SessionStatus.PLANNED
        and session.items.filter(added_by_hand=False).exists()
    ):
        raise DomainError("Interactions were already drawn for this session.", code="drawn")
    if session.is_revealed:
        raise DomainError("The session is revealed.", code="revealed")
    size = size or partner_settings(session.partner).sample_size
    if not 5 <= size <= 10:
        raise DomainError("A session calibrates 5 to 10 interactions.", field="size")
    pool = Interaction.objects.filter(
        partner_id=session.partner_id, opened_at__range=period_range(session)
    ).select_related("interaction_type")
    if session.version.rubric.channel:
        pool = pool.filter(channel=session.version.rubric.channel)
    rows = {
        i.pk: i for i in pool.only("pk", "channel", "interaction_type__name", "csat", "external_id")
    }
    if not rows:
        raise DomainError(
            f"{session.partner} has no interactions from {session.period_start:%d %b} to "
            f"{session.period_end:%d %b %Y} to draw from: add interactions by hand.",
            code="nothing_to_draw",
        )
    candidates = [
        domain.Candidate(i.pk, i.channel, i.interaction_type.name, i.csat) for i in rows.values()
    ]
    chosen = domain.draw(candidates, size - session.items.count(), seed=session.pk)
    start = session.items.count()
    with transaction.atomic():
        SessionItem.objects.bulk_create(
            SessionItem(
                session=session, position=start + n, interaction=rows[pk],
                external_id=rows[pk].external_id, channel=rows[pk].channel,
                interaction_type=rows[pk].interaction_type.name,
            )
            for n, pk in enumerate(chosen)
        )  # fmt: skip
        _open_scoring(session)
    return len(chosen)


def item_add(
    *, viewer: Viewer, session: CalibrationSession, external_id: str, link: str, channel: str,
    interaction_type: str = "",
) -> SessionItem:  # fmt: skip
    """The buyer adds an interaction by hand, with a transcript or recording link."""
    require_facilitator(viewer, session)
    if session.is_revealed:
        raise DomainError("The session is revealed: its interactions are fixed.")
    if channel not in Channel.values:
        raise DomainError(f"'{channel}' is not a channel.", field="channel")
    if not external_id.strip():
        raise DomainError("Give the interaction's id.", field="external_id")
    if session.items.count() >= 10:
        raise DomainError("A session calibrates at most 10 interactions.")
    if session.items.filter(external_id=external_id.strip()).exists():
        raise DomainError(f"{external_id.strip()} is already in this session.",
                          field="external_id")  # fmt: skip
    interaction = Interaction.objects.filter(
        partner_id=session.partner_id, external_id=external_id.strip()
    ).first()
    with transaction.atomic():
        # Positions are taken under the session's lock: two facilitators adding at once queue.
        CalibrationSession.objects.select_for_update().filter(pk=session.pk).exists()
        last = session.items.aggregate(last=Max("position"))["last"]
        item = SessionItem.objects.create(
            session=session, position=0 if last is None else last + 1, interaction=interaction,
            external_id=external_id.strip(), link=link, channel=channel,
            interaction_type=interaction_type, added_by_hand=True,
        )  # fmt: skip
        _open_scoring(session)
    return item


def _open_scoring(session: CalibrationSession) -> None:
    if session.status == SessionStatus.PLANNED:
        session.status = SessionStatus.SCORING
        session.save(update_fields=["status"])
