"""Partner selection: weighted scorecards (the median of the evaluators' weighted scores),
red flags, and the assumptions that turn a scope's forecast into billable units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from statistics import median

from sla.domain import ZERO, Volumes

SCORE_MIN, SCORE_MAX = 1, 5


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    weight: Decimal
    help: str = ""


# The criteria that predict long-term quality; floor-management maturity weighs most.
DEFAULT_CRITERIA = (
    Criterion("floor_management", "Floor-management maturity", Decimal(20),
              "Team-lead ratios, side-by-side coaching, real-time floor support."),
    Criterion("domain_depth", "Domain depth in this kind of work", Decimal(15),
              "References in the same kind of support, agents who know the product area."),
    Criterion("qa_process", "QA process", Decimal(12),
              "Sampling, rubric, calibration with clients, what happens to a failed review."),
    Criterion("attrition_transparency", "Attrition transparency", Decimal(10),
              "States its attrition figure and trend, per site, without being pushed."),
    Criterion("capacity_headroom", "Capacity headroom honesty", Decimal(10),
              "Says what it can staff and how fast, rather than yes to everything."),
    Criterion("escalation_handling", "Escalation handling", Decimal(9),
              "Clear paths back in-house, and escalations resolved at L1."),
    Criterion("tooling_fit", "Tooling fit", Decimal(8),
              "Works in our helpdesk and telephony, not a parallel stack."),
    Criterion("knowledge_management", "Knowledge-management speed", Decimal(8),
              "Hours, not weeks, from a policy change to every agent knowing it."),
    Criterion("reporting_transparency", "Reporting transparency", Decimal(8),
              "Shared dashboards, raw exports, per-agent data."),
)  # fmt: skip


def score_problem(score: int) -> str | None:
    if not SCORE_MIN <= score <= SCORE_MAX:
        return f"A score is a whole number from {SCORE_MIN} to {SCORE_MAX}, not {score}."
    return None


@dataclass(frozen=True)
class Sheet:
    """One evaluator's scores for one candidate: criterion key → 1-5."""

    evaluator: str
    scores: Mapping[str, int]


@dataclass(frozen=True)
class CandidateResult:
    """A candidate's score: the median of the evaluators' weighted scores, so that one
    enthusiast (or one sceptic) cannot carry it. Each complete sheet's weighted score is
    Σ weight × score / Σ weight, on the 1-5 scale."""

    score: Decimal | None
    evaluator_scores: dict[str, Decimal]  # complete sheets only
    incomplete: tuple[str, ...]  # evaluators who have not scored every criterion
    criterion_medians: dict[str, Decimal | None]

    @property
    def low(self) -> Decimal | None:
        return min(self.evaluator_scores.values(), default=None)

    @property
    def high(self) -> Decimal | None:
        return max(self.evaluator_scores.values(), default=None)


SCORE_PLACES = Decimal("0.01")


def weighted_score(criteria: Sequence[Criterion], scores: Mapping[str, int]) -> Decimal:
    total_weight = sum((c.weight for c in criteria), ZERO)
    if total_weight <= 0:
        raise ValueError("The criteria need a positive total weight.")
    return sum((c.weight * scores[c.key] for c in criteria), ZERO) / total_weight


def candidate_result(criteria: Sequence[Criterion], sheets: Sequence[Sheet]) -> CandidateResult:
    keys = [c.key for c in criteria]
    complete: dict[str, Decimal] = {}
    incomplete = []
    for sheet in sheets:
        if all(k in sheet.scores for k in keys):
            complete[sheet.evaluator] = weighted_score(criteria, sheet.scores).quantize(
                SCORE_PLACES, rounding=ROUND_HALF_UP
            )
        elif any(k in sheet.scores for k in keys):
            incomplete.append(sheet.evaluator)
    medians: dict[str, Decimal | None] = {}
    for key in keys:
        values = [Decimal(s.scores[key]) for s in sheets if key in s.scores]
        medians[key] = Decimal(median(values)) if values else None
    score = (
        Decimal(median(sorted(complete.values()))).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
        if complete
        else None
    )
    return CandidateResult(score, complete, tuple(incomplete), medians)


class RedFlag(StrEnum):
    PRICE_WITHOUT_KPIS = "price_without_kpis"
    NO_OPERATIONS_MANAGER = "no_operations_manager"
    OPAQUE_QA = "opaque_qa"
    VAGUE_LABOUR_LAW = "vague_labour_law"
    NO_SHARED_DASHBOARDS = "no_shared_dashboards"
    NO_ATTRITION_FIGURE = "no_attrition_figure"
    OTHER = "other"


RED_FLAG_LABELS = {
    RedFlag.PRICE_WITHOUT_KPIS: "Pricing quoted only per minute or per FTE, with no KPIs",
    RedFlag.NO_OPERATIONS_MANAGER: "Refuses to name the operations manager",
    RedFlag.OPAQUE_QA: "Opaque QA process",
    RedFlag.VAGUE_LABOUR_LAW: "Vague answers on labour law",
    RedFlag.NO_SHARED_DASHBOARDS: "Resists shared dashboards",
    RedFlag.NO_ATTRITION_FIGURE: "No attrition figure",
    RedFlag.OTHER: "Other",
}


@dataclass(frozen=True)
class Assumptions:
    """What turns a scope's forecast into billable units for a quote."""

    fcr: Decimal  # share of contacts resolved, 0-1
    handle_minutes: Decimal  # handled minutes per contact, wrap-up included
    productive_hours_per_fte: Decimal  # handled hours an FTE delivers in a month


def projected_volumes(contacts: int, assumptions: Assumptions) -> Volumes:
    hours = Decimal(contacts) * assumptions.handle_minutes / 60
    resolved = int((Decimal(contacts) * assumptions.fcr).to_integral_value(ROUND_HALF_UP))
    return Volumes(
        hours=hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        fte=(hours / assumptions.productive_hours_per_fte).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        ),
        contacts=contacts,
        resolved=resolved,
    )
