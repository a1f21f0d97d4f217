"""Writing rubrics, QA evaluations, disputes and calibration sessions. Pages, API views and
tasks call these functions; each checks who is asking and the rules, raises `DomainError`
with a message naming the problem, and writes in one transaction or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q

from calibration import domain
from calibration.models import (
    CalibrationSession,
    ConsensusScore,
    Dispute,
    DisputeStatus,
    EvaluationAnswer,
    NoActionNote,
    OutcomeItem,
    OutcomeStatus,
    PartnerCalibration,
    QaEvaluation,
    Rubric,
    RubricCriterion,
    RubricVersion,
    Score,
    SessionItem,
    SessionKind,
    SessionReviewer,
    SessionStatus,
    Side,
)
from calibration.signals import alignment_changed
from core import clock
from core.errors import DomainError
from core.scoping import Viewer
from kpis.models import Interaction
from partners.models import Agent, Channel, Membership, Partner, Role, User
from partners.services import audit_record

# A criterion on which the sides' agreement falls below this needs an outcome item or a
# "no action" note before the session can close.
DISAGREEMENT_BELOW = Decimal("0.75")
BUYER_SCORERS = (Role.PROGRAM_MANAGER, Role.QA_REVIEWER)
SCORERS = (*BUYER_SCORERS, Role.PARTNER_QA_LEAD)


def _label(viewer: Viewer) -> str:
    if viewer.user is not None:
        return viewer.user.display_name
    return f"API token “{viewer.token.name}”" if viewer.token else ""


def _require(viewer: Viewer, roles: Sequence[str], what: str) -> None:
    if viewer.read_only or viewer.role not in roles:
        labels = ", ".join(Role(r).label.lower() + "s" for r in roles)
        raise DomainError(f"Only {labels} {what}.", code="permission_denied")


def side_of(viewer: Viewer) -> str:
    return Side.PARTNER if viewer.is_partner_side else Side.BUYER


# RUBRICS
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    section: str
    name: str
    weight: Decimal
    scale: str
    na_allowed: bool = False
    critical: bool = False
    guidance: str = ""


def _check_criteria(criteria: Sequence[CriterionInput]) -> None:
    specs = []
    for i, c in enumerate(criteria):
        if c.scale not in domain.Scale._value2member_map_:
            raise DomainError(f"'{c.name}': '{c.scale}' is not a scale.", field="criteria")
        if not c.name.strip() or not c.section.strip():
            raise DomainError(f"Criterion {i + 1} needs a name and a section.", field="criteria")
        specs.append(
            domain.Criterion(str(i), c.name.strip(), c.weight, domain.Scale(c.scale),
                             c.na_allowed, c.critical)
        )  # fmt: skip
    problems = domain.rubric_problems(specs)
    if problems:
        raise DomainError(" ".join(problems), code="invalid_rubric", field="criteria")


def version_create(
    rubric: Rubric, criteria: Sequence[CriterionInput], created_by: User | None
) -> RubricVersion:
    """The rubric's next version with these criteria (checked by the caller)."""
    number = (rubric.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = RubricVersion.objects.create(rubric=rubric, number=number, created_by=created_by)
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            version=version, position=i, section=c.section.strip(), name=c.name.strip(),
            guidance=c.guidance, weight=c.weight, scale=c.scale, na_allowed=c.na_allowed,
            critical=c.critical,
        )
        for i, c in enumerate(criteria)
    )  # fmt: skip
    return version


def rubric_create(
    *, viewer: Viewer, name: str, channel: str, criteria: Sequence[CriterionInput]
) -> Rubric:
    _require(viewer, BUYER_SCORERS, "create rubrics")
    if channel and channel not in Channel.values:
        raise DomainError(f"'{channel}' is not a channel.", field="channel")
    if not name.strip():
        raise DomainError("Give the rubric a name.", field="name")
    if Rubric.objects.filter(account_id=viewer.account_id, name__iexact=name.strip()).exists():
        raise DomainError(f"There is already a rubric called '{name.strip()}'.", field="name")
    _check_criteria(criteria)
    with transaction.atomic():
        rubric = Rubric.objects.create(account=viewer.account, name=name.strip(), channel=channel)
        version_create(rubric, criteria, viewer.user)
        audit_record(
            account=viewer.account, actor=viewer.user, action="rubric.created",
            summary=f"Created the rubric {rubric}", rubric=rubric.pk,
        )  # fmt: skip
    return rubric


def rubric_update(
    *, viewer: Viewer, rubric: Rubric, criteria: Sequence[CriterionInput]
) -> RubricVersion:
    """New content for a rubric: the latest version is changed in place while nothing uses
    it; once a session or an evaluation uses it, the change becomes the next version."""
    _require(viewer, BUYER_SCORERS, "change rubrics")
    _check_criteria(criteria)
    with transaction.atomic():
        latest = rubric.versions.select_for_update().order_by("-number").first()
        if latest is not None and not latest.in_use:
            latest.criteria.all().delete()
            latest.delete()
        version = version_create(rubric, criteria, viewer.user)
        audit_record(
            account=viewer.account, actor=viewer.user, action="rubric.updated",
            summary=f"Changed the rubric {rubric} (version {version.number})", rubric=rubric.pk,
        )  # fmt: skip
    return version


def latest_version(rubric: Rubric) -> RubricVersion:
    version = rubric.versions.order_by("-number").first()
    if version is None:
        raise DomainError(f"The rubric {rubric} has no criteria yet.", field="rubric")
    return version


def _answers(
    version: RubricVersion, values: Mapping[int, Decimal | None], *, complete: bool
) -> dict[int, domain.Answer]:
    """Check answers (criterion id → value, None for N/A) against the version's criteria."""
    criteria = {c.pk: c for c in version.criteria.all()}
    unknown = set(values) - set(criteria)
    if unknown:
        raise DomainError(f"Criterion {min(unknown)} is not part of {version}.", field="answers")
    result = {}
    for pk, value in values.items():
        answer = domain.Answer(value)
        try:
            domain.check_answer(criteria[pk].spec, answer)
        except domain.ScoreError as exc:
            raise DomainError(str(exc), code="invalid_score", field="answers") from None
        result[pk] = answer
    if complete:
        missing = [c.name for pk, c in criteria.items() if pk not in values]
        if missing:
            raise DomainError(f"Score every criterion: {', '.join(missing)}.", field="answers")
    return result


# PARTNER SETTINGS
# ------------------------------------------------------------------------------


def partner_settings(partner: Partner) -> PartnerCalibration:
    """The partner's settings, or the defaults (unsaved) while none were set."""
    found = PartnerCalibration.objects.filter(partner=partner).first()
    return found or PartnerCalibration(partner=partner)


def partner_settings_save(
    *, viewer: Viewer, partner: Partner, cadence: str, rubric: Rubric | None,
    sample_size: int, dispute_window_days: int,
) -> PartnerCalibration:  # fmt: skip
    _require(viewer, (Role.PROGRAM_MANAGER,), "set a partner's calibration")
    if partner.account_id != viewer.account_id:
        raise DomainError("No such partner.", code="not_found")
    if rubric is not None and rubric.account_id != viewer.account_id:
        raise DomainError("No such rubric.", field="rubric")
    current = partner_settings(partner)
    current.cadence, current.rubric = cadence, rubric
    current.sample_size, current.dispute_window_days = sample_size, dispute_window_days
    try:
        current.full_clean()
    except Exception as exc:  # noqa: BLE001 - ValidationError, shown as one message
        raise DomainError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
    current.save()
    return current


# QA EVALUATIONS AND DISPUTES
# ------------------------------------------------------------------------------


def evaluation_save(
    *, viewer: Viewer, agent: Agent, version: RubricVersion, external_id: str, channel: str,
    values: Mapping[int, Decimal | None], scored_at: datetime | None = None,
) -> QaEvaluation:  # fmt: skip
    """A QA evaluation of one agent's interaction, by the buyer or the partner's QA lead."""
    _require(viewer, SCORERS, "record QA evaluations")
    if agent.partner.account_id != viewer.account_id or (
        viewer.is_partner_side and agent.partner_id != viewer.partner_id
    ):
        raise DomainError("No such agent.", field="agent")
    if version.rubric.account_id != viewer.account_id:
        raise DomainError("No such rubric.", field="rubric")
    if channel not in Channel.values:
        raise DomainError(f"'{channel}' is not a channel.", field="channel")
    if not external_id.strip():
        raise DomainError("Name the interaction: its id in the helpdesk.", field="external_id")
    answers = _answers(version, values, complete=True)
    specs = version.specs()
    result = domain.interaction_score(specs, {str(pk): a for pk, a in answers.items()})
    interaction = Interaction.objects.filter(
        partner_id=agent.partner_id, external_id=external_id.strip()
    ).first()
    with transaction.atomic():
        evaluation = QaEvaluation.objects.create(
            version=version, partner_id=agent.partner_id, agent=agent, interaction=interaction,
            external_id=external_id.strip(), channel=channel, side=side_of(viewer),
            evaluator=viewer.user, evaluator_label=_label(viewer),
            scored_at=scored_at or clock.now(), score=result.score,
            critical_failed=", ".join(result.critical_failed)[:300],
        )  # fmt: skip
        EvaluationAnswer.objects.bulk_create(
            EvaluationAnswer(evaluation=evaluation, criterion_id=pk, value=a.value)
            for pk, a in answers.items()
        )
    _recompute_qa(evaluation)
    return evaluation


def _recompute_qa(evaluation: QaEvaluation) -> None:
    """The QA score KPI of the evaluation's day comes from snapshots: refresh them."""
    from kpis.tasks import snapshots_recompute_task

    # The evaluation's day in the account's time zone, where snapshots count it.
    day = clock.local_date(evaluation.scored_at, evaluation.partner.account).isoformat()
    transaction.on_commit(lambda: snapshots_recompute_task.delay(evaluation.partner_id, day, day))


def _rescore(evaluation: QaEvaluation) -> None:
    answers = {str(a.criterion_id): domain.Answer(a.value) for a in evaluation.answers.all()}
    result = domain.interaction_score(evaluation.version.specs(), answers)
    evaluation.score = result.score
    evaluation.critical_failed = ", ".join(result.critical_failed)[:300]
    evaluation.save(update_fields=["score", "critical_failed"])


def dispute_last_day(evaluation: QaEvaluation) -> date:
    """The last day the partner may dispute a buyer's evaluation."""
    window = partner_settings(evaluation.partner).dispute_window_days
    scored_on = clock.local_date(evaluation.scored_at, evaluation.partner.account)
    return scored_on + timedelta(days=window)


def dispute_raise(
    *, viewer: Viewer, evaluation: QaEvaluation, criterion_id: int,
    proposed_value: Decimal | None, reason: str, today: date | None = None,
) -> Dispute:  # fmt: skip
    """A partner QA lead disputes one criterion of a buyer's evaluation of its agent."""
    _require(viewer, (Role.PARTNER_QA_LEAD,), "dispute QA evaluations")
    if evaluation.partner_id != viewer.partner_id:
        raise DomainError("No such evaluation.", code="not_found")
    if evaluation.side != Side.BUYER:
        raise DomainError("Only the buyer's evaluations can be disputed.", field="evaluation")
    today = today or clock.today(viewer.account)
    last_day = dispute_last_day(evaluation)
    window = partner_settings(evaluation.partner).dispute_window_days
    if today > last_day:
        raise DomainError(
            f"The dispute window of {window} days closed on {last_day:%d %B %Y}.",
            code="window_closed",
        )
    if not reason.strip():
        raise DomainError("Say why the score is wrong.", field="reason")
    answer = (
        evaluation.answers.select_related("criterion").filter(criterion_id=criterion_id).first()
    )
    if answer is None:
        raise DomainError(f"Criterion {criterion_id} is not part of this evaluation.",
                          field="criterion")  # fmt: skip
    _answers(evaluation.version, {criterion_id: proposed_value}, complete=False)
    if proposed_value == answer.value:
        raise DomainError("The proposed score is the score already given.", field="proposed_value")
    if evaluation.disputes.filter(criterion_id=criterion_id, status=DisputeStatus.OPEN).exists():
        raise DomainError(f"'{answer.criterion}' is already disputed.", field="criterion")
    with transaction.atomic():
        dispute = Dispute.objects.create(
            evaluation=evaluation, criterion_id=criterion_id, proposed_value=proposed_value,
            reason=reason.strip(), raised_by=viewer.user, raised_by_label=_label(viewer),
            raised_at=clock.now(), value_before=answer.value,
        )  # fmt: skip
        audit_record(
            account=viewer.account, actor=viewer.user, action="qa.dispute_raised",
            summary=f"Disputed '{answer.criterion}' of the QA of {evaluation.external_id}"[:300],
            dispute=dispute.pk,
        )  # fmt: skip
    return dispute


def dispute_resolve(*, viewer: Viewer, dispute: Dispute, accept: bool, note: str) -> Dispute:
    """The buyer accepts (the score changes, recorded on the dispute) or rejects, saying why."""
    _require(viewer, BUYER_SCORERS, "resolve disputes")
    if dispute.status != DisputeStatus.OPEN:
        raise DomainError(f"This dispute was already {dispute.status}.", code="resolved")
    if not accept and not note.strip():
        raise DomainError("Say why the dispute is rejected.", field="note")
    with transaction.atomic():
        dispute.status = DisputeStatus.ACCEPTED if accept else DisputeStatus.REJECTED
        dispute.resolved_by, dispute.resolved_by_label = viewer.user, _label(viewer)
        dispute.resolved_at, dispute.resolution_note = clock.now(), note.strip()
        dispute.save()
        if accept:
            evaluation = dispute.evaluation
            evaluation.answers.filter(criterion_id=dispute.criterion_id).update(
                value=dispute.proposed_value
            )
            _rescore(evaluation)
            _recompute_qa(evaluation)
        audit_record(
            account=viewer.account, actor=viewer.user, action=f"qa.dispute_{dispute.status}",
            summary=f"{dispute.get_status_display()} the dispute on '{dispute.criterion}' of "
            f"the QA of {dispute.evaluation.external_id}"[:300],
            dispute=dispute.pk,
        )  # fmt: skip
    return dispute


# SESSIONS: SET-UP
# ------------------------------------------------------------------------------


def _default_rubric(partner: Partner) -> Rubric | None:
    chosen = partner_settings(partner).rubric
    return chosen or Rubric.objects.filter(account_id=partner.account_id).order_by("pk").first()


def _default_people(partner: Partner) -> tuple[User | None, list[tuple[User, Side]]]:
    members = Membership.objects.filter(account_id=partner.account_id).select_related("user")
    facilitator = next((m.user for m in members if m.role == Role.PROGRAM_MANAGER), None)
    reviewers = [(m.user, Side.BUYER) for m in members if m.role == Role.QA_REVIEWER]
    reviewers += [
        (m.user, Side.PARTNER)
        for m in members
        if m.role == Role.PARTNER_QA_LEAD and m.partner_id == partner.pk
    ]
    return facilitator, reviewers


def _create_session(
    *, partner: Partner, version: RubricVersion, kind: str, due: date, reason: str,
    facilitator: User | None, reviewers: Sequence[tuple[User, str]],
) -> CalibrationSession:  # fmt: skip
    session = CalibrationSession.objects.create(
        partner=partner, version=version, facilitator=facilitator, kind=kind, reason=reason,
        due_date=due, period_start=due - timedelta(days=28), period_end=due - timedelta(days=1),
    )  # fmt: skip
    SessionReviewer.objects.bulk_create(
        SessionReviewer(session=session, user=user, side=side) for user, side in reviewers
    )
    return session


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
    facilitator, reviewers = _default_people(partner)
    created = 0
    with transaction.atomic():
        version = latest_version(rubric)
        for day in due:
            if day in existing:
                continue
            _create_session(
                partner=partner, version=version, kind=SessionKind.CADENCE, due=day,
                reason="", facilitator=facilitator, reviewers=reviewers,
            )  # fmt: skip
            created += 1
    return created


def session_create(
    *, viewer: Viewer, partner: Partner, rubric: Rubric, due_date: date, reason: str,
    reviewers: Sequence[User] = (),
) -> CalibrationSession:  # fmt: skip
    """An ad hoc session (a new interaction type, a quality dip), facilitated by the viewer."""
    _require(viewer, (Role.PROGRAM_MANAGER,), "plan calibration sessions")
    if partner.account_id != viewer.account_id or rubric.account_id != viewer.account_id:
        raise DomainError("No such partner or rubric.", code="not_found")
    if not reason.strip():
        raise DomainError("Say why this session is needed.", field="reason")
    people = []
    for user in reviewers or [u for u, _ in _default_people(partner)[1]]:
        membership = Membership.objects.filter(account_id=viewer.account_id, user=user).first()
        if membership is None or (membership.partner_id not in (None, partner.pk)):
            raise DomainError(f"{user} cannot review {partner}'s interactions.", field="reviewers")
        people.append((user, Side.PARTNER if membership.partner_id else Side.BUYER))
    with transaction.atomic():
        session = _create_session(
            partner=partner, version=latest_version(rubric), kind=SessionKind.AD_HOC,
            due=due_date, reason=reason.strip(), facilitator=viewer.user, reviewers=people,
        )  # fmt: skip
    return session


def _require_facilitator(viewer: Viewer, session: CalibrationSession) -> None:
    if viewer.read_only or viewer.role != Role.PROGRAM_MANAGER or viewer.is_partner_side:
        raise DomainError(
            "Only the buyer's program managers run calibration sessions.",
            code="permission_denied",
        )


def reviewer_add(*, viewer: Viewer, session: CalibrationSession, user: User) -> SessionReviewer:
    _require_facilitator(viewer, session)
    if session.is_revealed:
        raise DomainError("The session is revealed: reviewers can no longer join.")
    membership = Membership.objects.filter(account_id=viewer.account_id, user=user).first()
    if membership is None or membership.partner_id not in (None, session.partner_id):
        raise DomainError(f"{user} cannot review {session.partner}'s interactions.",
                          field="user")  # fmt: skip
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
    _require_facilitator(viewer, session)
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
    _require_facilitator(viewer, session)
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


# SESSIONS: BLIND SCORING AND THE REVEAL
# ------------------------------------------------------------------------------


def _reviewer(viewer: Viewer, session: CalibrationSession) -> SessionReviewer:
    reviewer = (
        session.reviewers.filter(user=viewer.user).first() if viewer.user is not None else None
    )
    if reviewer is None:
        raise DomainError("You are not a reviewer of this session.", code="not_a_reviewer")
    return reviewer


def _check_scoring_open(session: CalibrationSession) -> None:
    if session.is_revealed:
        raise DomainError("Scores are revealed: they can no longer change.", code="revealed")
    if session.status != SessionStatus.SCORING:
        raise DomainError("Scoring has not started: the session has no interactions yet.",
                          code="not_scoring")  # fmt: skip


def score_save(
    *, viewer: Viewer, session: CalibrationSession, item: SessionItem,
    values: Mapping[int, Decimal | None],
) -> int:  # fmt: skip
    """Save (some of) a reviewer's own answers on one interaction, as they go."""
    reviewer = _reviewer(viewer, session)
    _check_scoring_open(session)
    if item.session_id != session.pk:
        raise DomainError("That interaction is not part of this session.", field="item")
    answers = _answers(session.version, values, complete=False)
    with transaction.atomic():
        locked = CalibrationSession.objects.select_for_update().get(pk=session.pk)
        _check_scoring_open(locked)
        for pk, answer in answers.items():
            Score.objects.update_or_create(
                item=item, reviewer=reviewer, criterion_id=pk, defaults={"value": answer.value}
            )
    return len(answers)


def submit(*, viewer: Viewer, session: CalibrationSession) -> SessionReviewer:
    """A reviewer hands in their scores (every criterion of every interaction). When the
    last reviewer submits, the scores are revealed. Until then they may still change."""
    reviewer = _reviewer(viewer, session)
    _check_scoring_open(session)
    needed = session.items.count() * session.version.criteria.count()
    given = reviewer.scores.count()
    if given < needed:
        raise DomainError(
            f"{needed - given} answer(s) are missing: score every criterion of every "
            "interaction (N/A where the rubric allows it) before submitting.",
            code="incomplete",
        )
    with transaction.atomic():
        reviewer.submitted_at = clock.now()
        reviewer.save(update_fields=["submitted_at"])
        if not session.reviewers.filter(submitted_at__isnull=True).exists():
            _reveal(session, "every reviewer submitted")
    return reviewer


def close_scoring(*, viewer: Viewer, session: CalibrationSession) -> CalibrationSession:
    """The facilitator reveals now; reviewers who have not submitted are recorded missing."""
    _require_facilitator(viewer, session)
    _check_scoring_open(session)
    with transaction.atomic():
        missing = session.reviewers.filter(submitted_at__isnull=True)
        names = ", ".join(str(r.user) for r in missing.select_related("user"))
        missing.update(missing=True)
        _reveal(session, f"closed by {_label(viewer)}" + (f"; missing: {names}" if names else ""))
    return session


def _reveal(session: CalibrationSession, reason: str) -> None:
    session.status = SessionStatus.REVEALED
    session.revealed_at = clock.now()
    session.reveal_reason = reason[:200]
    session.save(update_fields=["status", "revealed_at", "reveal_reason"])
    alignment_update(session)


# SESSIONS: ALIGNMENT, DEBRIEF, OUTCOMES
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionData:
    """A session's sheets in the domain's terms (read without the blind rule: only for
    computing alignment after the reveal, never for display)."""

    criteria: list[domain.Criterion]
    items: list[SessionItem]
    sheets: dict[tuple[int, int], dict[str, domain.Answer]]  # (item, reviewer) → answers
    sides: dict[int, str]  # reviewer → side
    consensus: dict[int, dict[str, domain.Answer]]  # item → answers


def session_data(session: CalibrationSession) -> SessionData:
    criteria = list(session.version.criteria.all())
    items = list(session.items.all())
    sheets: dict[tuple[int, int], dict[str, domain.Answer]] = {}
    for score in Score.objects.filter(item__session=session):
        sheets.setdefault((score.item_id, score.reviewer_id), {})[str(score.criterion_id)] = (
            domain.Answer(score.value)
        )
    sides = dict(session.reviewers.values_list("pk", "side"))
    consensus: dict[int, dict[str, domain.Answer]] = {}
    for c in ConsensusScore.objects.filter(item__session=session):
        consensus.setdefault(c.item_id, {})[str(c.criterion_id)] = domain.Answer(c.value)
    return SessionData([c.spec for c in criteria], items, sheets, sides, consensus)


def _complete(data: SessionData, sheet: Mapping[str, domain.Answer]) -> bool:
    return all(c.key in sheet for c in data.criteria)


def side_sheets(data: SessionData, item: SessionItem, side: str) -> list[dict[str, domain.Answer]]:
    return [
        sheet
        for (item_id, reviewer), sheet in data.sheets.items()
        if item_id == item.pk and data.sides.get(reviewer) == side and _complete(data, sheet)
    ]


def compute_alignment(data: SessionData) -> domain.SessionAlignment:
    pairs = [
        (side_sheets(data, item, Side.BUYER), side_sheets(data, item, Side.PARTNER))
        for item in data.items
    ]
    reviewers = sorted(data.sides)
    matrix = [[data.sheets.get((item.pk, r)) for item in data.items] for r in reviewers]
    return domain.session_alignment(data.criteria, pairs, matrix)


def _vs_consensus(data: SessionData, side: str) -> Decimal | None:
    pairs = [
        (side_sheets(data, item, side), [data.consensus[item.pk]])
        for item in data.items
        if item.pk in data.consensus and _complete(data, data.consensus[item.pk])
    ]
    if not pairs:
        return None
    return domain.session_alignment(data.criteria, pairs).agreement


def alignment_update(session: CalibrationSession) -> None:
    data = session_data(session)
    result = compute_alignment(data)
    session.agreement = result.agreement
    session.bias = result.bias
    session.alpha = result.alpha
    session.beyond_tolerance = result.beyond_tolerance
    session.buyer_vs_consensus = _vs_consensus(data, Side.BUYER)
    session.partner_vs_consensus = _vs_consensus(data, Side.PARTNER)
    session.save(
        update_fields=["agreement", "bias", "alpha", "beyond_tolerance", "buyer_vs_consensus",
                       "partner_vs_consensus"]
    )  # fmt: skip
    if session.revealed_at is not None:
        alignment_changed.send(
            sender=CalibrationSession,
            partner_id=session.partner_id,
            day=clock.local_date(session.revealed_at),
        )


def _require_revealed(session: CalibrationSession) -> None:
    if not session.is_revealed:
        raise DomainError("The scores are not revealed yet.", code="not_revealed")
    if session.status == SessionStatus.CLOSED:
        raise DomainError("The session is closed.", code="closed")


def consensus_save(
    *, viewer: Viewer, session: CalibrationSession, item: SessionItem,
    values: Mapping[int, Decimal | None],
) -> None:  # fmt: skip
    """The facilitator records the score both sides agreed, per criterion."""
    _require_facilitator(viewer, session)
    _require_revealed(session)
    if item.session_id != session.pk:
        raise DomainError("That interaction is not part of this session.", field="item")
    answers = _answers(session.version, values, complete=False)
    with transaction.atomic():
        for pk, answer in answers.items():
            ConsensusScore.objects.update_or_create(
                item=item, criterion_id=pk, defaults={"value": answer.value}
            )
        alignment_update(session)


def outcome_add(
    *, viewer: Viewer, session: CalibrationSession, kind: str, description: str, owner: User,
    due_date: date, item: SessionItem | None = None, criterion_id: int | None = None,
) -> OutcomeItem:  # fmt: skip
    _require_facilitator(viewer, session)
    _require_revealed(session)
    if kind not in ("policy", "training", "process"):
        raise DomainError(f"'{kind}' is not a kind of outcome.", field="kind")
    if not description.strip():
        raise DomainError("Describe the action.", field="description")
    owners = Membership.objects.filter(account_id=viewer.account_id, user=owner)
    if not owners.filter(Q(partner__isnull=True) | Q(partner_id=session.partner_id)).exists():
        raise DomainError(
            f"The owner must be on the buyer's side or work for {session.partner}.",
            field="owner",
        )
    if item is not None and item.session_id != session.pk:
        raise DomainError("That interaction is not part of this session.", field="item")
    if criterion_id is not None and not session.version.criteria.filter(pk=criterion_id).exists():
        raise DomainError(f"Criterion {criterion_id} is not part of {session.version}.",
                          field="criterion")  # fmt: skip
    return OutcomeItem.objects.create(
        session=session, item=item, criterion_id=criterion_id, kind=kind,
        description=description.strip(), owner=owner, due_date=due_date,
    )  # fmt: skip


def outcome_update(*, viewer: Viewer, outcome: OutcomeItem, status: str) -> OutcomeItem:
    """The owner, or a program manager, marks an outcome done (or open again)."""
    if viewer.read_only or (viewer.role != Role.PROGRAM_MANAGER and viewer.user != outcome.owner):
        raise DomainError("Only the owner or a program manager updates an outcome.",
                          code="permission_denied")  # fmt: skip
    if status not in OutcomeStatus.values:
        raise DomainError(f"'{status}' is not a status.", field="status")
    with transaction.atomic():
        outcome.status = status
        outcome.done_at = clock.now() if status == OutcomeStatus.DONE else None
        outcome.save(update_fields=["status", "done_at"])
        audit_record(
            account=viewer.account, actor=viewer.user, action=f"calibration.outcome_{status}",
            summary=f"Marked {outcome} {status}"[:300], outcome=outcome.pk,
        )  # fmt: skip
    return outcome


def no_action_save(
    *, viewer: Viewer, session: CalibrationSession, item: SessionItem, criterion_id: int,
    note: str,
) -> NoActionNote:  # fmt: skip
    _require_facilitator(viewer, session)
    _require_revealed(session)
    if not note.strip():
        raise DomainError("Say why no action is needed.", field="note")
    if item.session_id != session.pk:
        raise DomainError("That interaction is not part of this session.", field="item")
    if not session.version.criteria.filter(pk=criterion_id).exists():
        raise DomainError(f"Criterion {criterion_id} is not part of {session.version}.",
                          field="criterion")  # fmt: skip
    note_obj, _ = NoActionNote.objects.update_or_create(
        item=item, criterion_id=criterion_id, defaults={"note": note.strip()[:500]}
    )
    return note_obj


@dataclass(frozen=True)
class Disagreement:
    item: SessionItem
    criterion: domain.Criterion
    agreement: Decimal
    bias: Decimal | None


def open_disagreements(session: CalibrationSession) -> list[Disagreement]:
    """Disagreements below the threshold without an outcome item or a "no action" note,
    largest first. Only after the reveal: before it, they would tell the scores."""
    if not session.is_revealed:
        raise DomainError("The scores are not revealed yet.", code="not_revealed")
    data = session_data(session)
    result = compute_alignment(data)
    handled = set(
        OutcomeItem.objects.filter(session=session, item__isnull=False).values_list(
            "item_id", "criterion_id"
        )
    ) | set(
        NoActionNote.objects.filter(item__session=session).values_list("item_id", "criterion_id")
    )
    found = []
    for item, aligned in zip(data.items, result.items, strict=True):
        for criterion, row in domain.disagreements(data.criteria, aligned):
            if (
                row.agreement is not None
                and row.agreement < DISAGREEMENT_BELOW
                and ((item.pk, int(criterion.key)) not in handled)
            ):
                found.append(Disagreement(item, criterion, row.agreement, row.bias))
    return sorted(found, key=lambda d: d.agreement)


def session_close(*, viewer: Viewer, session: CalibrationSession) -> CalibrationSession:
    _require_facilitator(viewer, session)
    _require_revealed(session)
    pending = open_disagreements(session)
    if pending:
        first = pending[0]
        raise DomainError(
            f"{len(pending)} disagreement(s) need an outcome item or a 'no action' note, "
            f"starting with '{first.criterion.name}' on {first.item.external_id} "
            f"(agreement {first.agreement:.0%}).",
            code="open_disagreements",
        )
    session.status = SessionStatus.CLOSED
    session.closed_at = clock.now()
    session.save(update_fields=["status", "closed_at"])
    audit_record(
        account=viewer.account, actor=viewer.user, action="calibration.closed",
        summary=f"Closed {session}", session=session.pk,
    )  # fmt: skip
    return session


# REMINDERS
# ------------------------------------------------------------------------------


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
