"""Reads of QA evaluations and their disputes, and how their pages word them: a score with
its critical failure, a dispute's change, the share of disputes the buyer accepted."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils.dateformat import format as format_date

from calibration import domain
from calibration.models import (
    Dispute,
    DisputeStatus,
    EvaluationAnswer,
    QaEvaluation,
    RubricCriterion,
)
from calibration.selectors.text import answer_text
from core import clock
from core.scoping import Viewer, scope
from partners.models import Agent, Partner

# QA EVALUATIONS
# ------------------------------------------------------------------------------


def evaluations_list(
    viewer: Viewer,
    partner: Partner | None = None,
    agent: Agent | None = None,
    side: str | None = None,
) -> QuerySet[QaEvaluation]:
    """QA evaluations the viewer may see, latest first, each with its open disputes counted:
    one query per page."""
    evaluations = (
        scope(QaEvaluation, viewer)
        .select_related("agent", "partner", "version__rubric")
        .annotate(open_disputes=Count("disputes", filter=Q(disputes__status=DisputeStatus.OPEN)))
        .order_by("-scored_at", "-pk")  # a GROUP BY drops the model's ordering
    )
    if partner:
        evaluations = evaluations.filter(partner=partner)
    if agent:
        evaluations = evaluations.filter(agent=agent)
    if side:
        evaluations = evaluations.filter(side=side)
    return evaluations


def score_text(evaluation: QaEvaluation) -> str:
    """'80.0', or '0: critical criterion missed (Verified identity)' (the domain's words)."""
    failed = (evaluation.critical_failed,) if evaluation.critical_failed else ()
    return domain.InteractionScore(evaluation.score, failed).explanation


@dataclass
class AnswerRow:
    """One criterion of an evaluation's page: its answer and points, its open dispute, and
    the form to dispute it."""

    answer: EvaluationAnswer
    points: Decimal | None  # None: N/A, left out
    value: str
    open_dispute: Dispute | None
    choices: list[tuple[str, str]] | None  # a dispute's proposed values (None: a number)
    raise_form: forms.Form | None = None  # posted on this criterion, with errors

    @property
    def criterion(self) -> RubricCriterion:
        return self.answer.criterion


def answer_sections(rows: list[AnswerRow]) -> list[tuple[str, list[AnswerRow]]]:
    """The rows grouped by their criterion's section, in the rubric's order."""
    grouped: dict[str, list[AnswerRow]] = {}
    for row in rows:
        grouped.setdefault(row.criterion.section, []).append(row)
    return list(grouped.items())


# DISPUTES
# ------------------------------------------------------------------------------


def disputes_list(
    viewer: Viewer, status: str | None = None, partner: Partner | None = None
) -> QuerySet[Dispute]:
    disputes = scope(Dispute, viewer).select_related(
        "criterion", "evaluation__agent", "evaluation__partner"
    )
    if status:
        disputes = disputes.filter(status=status)
    if partner:
        disputes = disputes.filter(evaluation__partner=partner)
    return disputes


def change_text(dispute: Dispute) -> str:
    """'Accuracy 2 → 4, accepted by Rita Reviewer on 3 Mar 2026' (or proposed, or rejected)."""
    name = dispute.criterion.name
    before = answer_text(dispute.criterion, dispute.value_before)
    proposed = answer_text(dispute.criterion, dispute.proposed_value)
    if dispute.status == DisputeStatus.OPEN or dispute.resolved_at is None:
        return f"{name} {before} → {proposed} proposed"
    resolved_on = format_date(clock.local_date(dispute.resolved_at), "j M Y")
    by = f"by {dispute.resolved_by_label} on {resolved_on}"
    if dispute.status == DisputeStatus.ACCEPTED:
        return f"{name} {before} → {proposed}, accepted {by}"
    return f"{name} stays {before} (proposed {proposed}), rejected {by}"


@dataclass(frozen=True)
class AcceptedShare:
    partner: str
    accepted: int
    rejected: int
    open: int

    @property
    def resolved(self) -> int:
        return self.accepted + self.rejected

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.accepted) / self.resolved if self.resolved else None


def dispute_shares(viewer: Viewer) -> list[AcceptedShare]:
    """Per partner, the disputes the buyer accepted, rejected and has still to decide (one
    query)."""
    shares = (
        scope(Dispute, viewer)
        .values("evaluation__partner__name")
        .annotate(
            accepted=Count("pk", filter=Q(status=DisputeStatus.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=DisputeStatus.REJECTED)),
            open=Count("pk", filter=Q(status=DisputeStatus.OPEN)),
        )
        .order_by("evaluation__partner__name")
    )
    return [
        AcceptedShare(s["evaluation__partner__name"], s["accepted"], s["rejected"], s["open"])
        for s in shares
    ]
