"""QA evaluations outside calibration sessions, and the partner's disputes of the buyer's
evaluations. Each evaluation feeds the QA score KPI of its day: saving one, or accepting a
dispute that changes its score, refreshes that day's snapshots."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from calibration import domain
from calibration.models import (
    Dispute,
    DisputeStatus,
    EvaluationAnswer,
    QaEvaluation,
    RubricVersion,
    Side,
)
from calibration.services.partner_settings import partner_settings
from calibration.services.roles import BUYER_SCORERS, SCORERS, side_of
from calibration.services.rubrics import checked_answers
from core import clock
from core.errors import DomainError
from core.scoping import Viewer, ensure_in_scope, require_role
from kpis.models import Interaction
from partners.models import Agent, Channel, Role
from partners.services import audit_record


def evaluation_save(
    *, viewer: Viewer, agent: Agent, version: RubricVersion, external_id: str, channel: str,
    values: Mapping[int, Decimal | None], scored_at: datetime | None = None,
) -> QaEvaluation:  # fmt: skip
    """A QA evaluation of one agent's interaction, by the buyer or the partner's QA lead."""
    require_role(viewer, SCORERS, what="record QA evaluations")
    ensure_in_scope(agent, viewer, field="agent")
    ensure_in_scope(version.rubric, viewer, field="rubric")
    if channel not in Channel.values:
        raise DomainError(f"'{channel}' is not a channel.", field="channel")
    if not external_id.strip():
        raise DomainError("Name the interaction: its id in the helpdesk.", field="external_id")
    answers = checked_answers(version, values, complete=True)
    specs = version.specs()
    result = domain.interaction_score(specs, {str(pk): a for pk, a in answers.items()})
    interaction = Interaction.objects.filter(
        partner_id=agent.partner_id, external_id=external_id.strip()
    ).first()
    with transaction.atomic():
        evaluation = QaEvaluation.objects.create(
            version=version, partner_id=agent.partner_id, agent=agent, interaction=interaction,
            external_id=external_id.strip(), channel=channel, side=side_of(viewer),
            evaluator=viewer.user, evaluator_label=viewer.label,
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
    require_role(viewer, (Role.PARTNER_QA_LEAD,), what="dispute QA evaluations")
    ensure_in_scope(evaluation, viewer, message="No such evaluation.")
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
    checked_answers(evaluation.version, {criterion_id: proposed_value}, complete=False)
    if proposed_value == answer.value:
        raise DomainError("The proposed score is the score already given.", field="proposed_value")
    if evaluation.disputes.filter(criterion_id=criterion_id, status=DisputeStatus.OPEN).exists():
        raise DomainError(f"'{answer.criterion}' is already disputed.", field="criterion")
    with transaction.atomic():
        dispute = Dispute.objects.create(
            evaluation=evaluation, criterion_id=criterion_id, proposed_value=proposed_value,
            reason=reason.strip(), raised_by=viewer.user, raised_by_label=viewer.label,
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
    require_role(viewer, BUYER_SCORERS, what="resolve disputes")
    if dispute.status != DisputeStatus.OPEN:
        raise DomainError(f"This dispute was already {dispute.status}.", code="resolved")
    if not accept and not note.strip():
        raise DomainError("Say why the dispute is rejected.", field="note")
    with transaction.atomic():
        dispute.status = DisputeStatus.ACCEPTED if accept else DisputeStatus.REJECTED
        dispute.resolved_by, dispute.resolved_by_label = viewer.user, viewer.label
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
