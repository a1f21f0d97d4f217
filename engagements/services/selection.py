"""Running a selection: its criteria's weights, candidates with their quotes (rate cards),
the evaluators' scores and red flags, and choosing the candidate that becomes a partner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import clock
from core.errors import DomainError
from core.scoping import BUYER_ROLES, PERMISSION_DENIED, Role, Viewer, ensure_in_scope, require_role
from engagements import domain
from engagements.models import (
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    ScopeVersion,
    Selection,
    SelectionCriterion,
    SelectionStatus,
    StageKind,
)
from engagements.services.common import audit, check_currency, full_clean
from partners.models import Channel, Partner
from sla.domain import rate_card_problems
from sla.services import RateInput, priced_lines  # a quote's lines are a contract's


def selection_create(
    *,
    viewer: Viewer,
    name: str,
    currency: str = "USD",
    assumed_fcr_pct: Decimal = Decimal(75),
    handle_minutes: Decimal = Decimal(6),
    productive_hours_per_fte: Decimal = Decimal(120),
) -> Selection:
    """A new selection with the default criteria (floor-management maturity weighs most)."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="start selections")
    selection = Selection(
        account=viewer.account,
        name=name.strip(),
        currency=check_currency(currency),
        assumed_fcr_pct=assumed_fcr_pct,
        handle_minutes=handle_minutes,
        productive_hours_per_fte=productive_hours_per_fte,
        created_by=viewer.user,
    )
    full_clean(selection, exclude=["account", "created_by"])
    with transaction.atomic():
        selection.save()
        SelectionCriterion.objects.bulk_create(
            SelectionCriterion(
                selection=selection, key=c.key, name=c.name, help=c.help, weight=c.weight,
                position=n,
            )
            for n, c in enumerate(domain.DEFAULT_CRITERIA)
        )  # fmt: skip
        audit(viewer, "selection.created", f"Started selection {selection}")
    return selection


def _check_open(selection: Selection) -> None:
    if selection.status == SelectionStatus.CHOSEN:
        raise DomainError(
            f"The selection '{selection}' has already chosen its partner: it is closed.",
            code="selection_closed",
        )


def selection_update(
    *,
    viewer: Viewer,
    selection: Selection,
    weights: Mapping[str, Decimal] | None = None,
    **fields: Any,
) -> Selection:
    """Change a selection's name, currency or pricing assumptions, and with `weights` its
    criteria's weights, all together or not at all."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="change selections")
    ensure_in_scope(selection, viewer, message="No such selection.")
    _check_open(selection)
    for name, value in fields.items():
        setattr(selection, name, value)
    selection.currency = check_currency(selection.currency)
    full_clean(selection, exclude=["account", "created_by"])
    with transaction.atomic():
        selection.save()
        if weights is not None:
            criteria_weights_save(viewer=viewer, selection=selection, weights=weights)
        audit(viewer, "selection.updated", f"Updated selection {selection}")
    return selection


def criteria_weights_save(
    *, viewer: Viewer, selection: Selection, weights: Mapping[str, Decimal]
) -> None:
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="change selections")
    ensure_in_scope(selection, viewer, message="No such selection.")
    _check_open(selection)
    criteria = {c.key: c for c in selection.criteria.all()}
    unknown = set(weights) - set(criteria)
    if unknown:
        raise DomainError(f"No criterion '{sorted(unknown)[0]}' in this selection.")
    if any(w < 0 for w in weights.values()):
        raise DomainError("A weight cannot be negative.", field="weights")
    merged = {k: weights.get(k, c.weight) for k, c in criteria.items()}
    if sum(merged.values(), Decimal(0)) <= 0:
        raise DomainError("At least one criterion needs a positive weight.", field="weights")
    with transaction.atomic():
        for key, weight in weights.items():
            criteria[key].weight = weight
        SelectionCriterion.objects.bulk_update(list(criteria.values()), ["weight"])
        audit(viewer, "selection.weights", f"Changed criterion weights of {selection}")


CHANNEL_LABELS = dict(Channel.choices)


def _quote_lines(
    viewer: Viewer, candidate: Candidate, rates: Sequence[RateInput]
) -> list[CandidateRate]:
    """A quote's lines, checked one by one and as a whole with a contract's rate-card rules
    (`sla.domain.rate_card_problems`). A quote may leave channels of the scope unpriced: the
    comparison shows them as not quoted."""
    if not rates:
        raise DomainError(
            "Give the candidate's quote at least one rate line: a channel, its pricing model "
            "and its rate.",
            code="invalid_rate_card",
            field="rates",
        )
    currency = candidate.selection.currency
    lines = priced_lines(
        viewer,
        rates,
        build=lambda **fields: CandidateRate(candidate=candidate, **fields),
        currency=currency,
        currency_rule=f"the selection in {currency}: quotes are compared in the selection's "
        "currency.",
    )
    problems = rate_card_problems(
        [line.spec for line in lines],
        channel_labels={c: label.lower() for c, label in Channel.choices},
    )
    if problems:
        raise DomainError(" ".join(problems), code="invalid_rate_card", field="rates")
    for number, line in enumerate(lines, start=1):
        try:
            line.clean_fields(exclude=["candidate", "interaction_type"])
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            where = f"Line {number} ({CHANNEL_LABELS[line.channel].lower()})"
            raise DomainError(
                f"{where}: {name.replace('_', ' ')}: {' '.join(messages)}", field="rates"
            ) from None
    return lines


def candidate_save(
    *, viewer: Viewer, candidate: Candidate, rates: Sequence[RateInput] | None = None
) -> Candidate:
    """Add a candidate to a selection, or change one, with its quote: `rates` replaces the
    rate card (required for a new candidate); None keeps it. All or nothing."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="add and change candidates")
    ensure_in_scope(candidate.selection, viewer, message="No such selection.")
    _check_open(candidate.selection)
    clash = Candidate.objects.filter(selection=candidate.selection, name=candidate.name)
    if clash.exclude(pk=candidate.pk).exists():
        raise DomainError(f"There already is a candidate named {candidate.name}.", field="name")
    full_clean(candidate, exclude=["selection", "partner"])
    created = candidate.pk is None
    if rates is None and created:
        raise DomainError(
            "Give the candidate's quote: at least one rate line pricing a channel.",
            code="invalid_rate_card",
            field="rates",
        )
    lines = _quote_lines(viewer, candidate, rates) if rates is not None else None
    with transaction.atomic():
        candidate.save()
        if lines is not None:
            candidate.rates.all().delete()
            CandidateRate.objects.bulk_create(lines)
        audit(
            viewer,
            "candidate.created" if created else "candidate.updated",
            f"{'Added' if created else 'Updated'} candidate {candidate} in {candidate.selection}",
        )
    return candidate


def _require_signed_in(viewer: Viewer) -> None:
    """Scores and red flags are someone's own: an API token is nobody in particular."""
    if viewer.user is None:
        raise DomainError(
            "Candidates are scored by the buyer's people, each signed in as themselves.",
            code=PERMISSION_DENIED,
        )


@dataclass(frozen=True)
class ScoreInput:
    criterion: str  # key
    score: int | None  # None: not scored (removes an earlier score)
    evidence: str = ""


def scores_save(*, viewer: Viewer, candidate: Candidate, scores: Sequence[ScoreInput]) -> int:
    """The viewer's own scores of a candidate, all checked before any is written."""
    require_role(viewer, BUYER_ROLES, what="score candidates and raise red flags")
    _require_signed_in(viewer)
    ensure_in_scope(candidate, viewer, message="No such candidate.")
    _check_open(candidate.selection)
    criteria = {c.key: c for c in candidate.selection.criteria.all()}
    problems = []
    for s in scores:
        criterion = criteria.get(s.criterion)
        if criterion is None:
            problems.append(f"No criterion '{s.criterion}' in this selection.")
        elif s.score is not None and (problem := domain.score_problem(s.score)):
            problems.append(f"{criterion.name}: {problem}")
    if problems:
        raise DomainError(" ".join(problems), code="invalid_score", field="scores")
    with transaction.atomic():
        written = 0
        for s in scores:
            criterion = criteria[s.criterion]
            if s.score is None:
                CandidateScore.objects.filter(
                    candidate=candidate, criterion=criterion, evaluator=viewer.user
                ).delete()
                continue
            CandidateScore.objects.update_or_create(
                candidate=candidate,
                criterion=criterion,
                evaluator=viewer.user,
                defaults={"score": s.score, "evidence": s.evidence.strip()},
            )
            written += 1
        audit(viewer, "candidate.scored", f"Scored {candidate} on {written} criteria")
    return written


def red_flag_add(
    *, viewer: Viewer, candidate: Candidate, kind: str, note: str = ""
) -> CandidateRedFlag:
    require_role(viewer, BUYER_ROLES, what="score candidates and raise red flags")
    _require_signed_in(viewer)
    ensure_in_scope(candidate, viewer, message="No such candidate.")
    _check_open(candidate.selection)
    if kind not in domain.RedFlag._value2member_map_:
        raise DomainError(f"'{kind}' is not a red flag Keel knows.", field="kind")
    if kind == domain.RedFlag.OTHER and not note.strip():
        raise DomainError("Say what the red flag is.", field="note")
    flag = CandidateRedFlag(
        candidate=candidate, kind=kind, note=note.strip(), raised_by=viewer.user
    )
    full_clean(flag, exclude=["candidate", "raised_by"])
    with transaction.atomic():
        flag.save()
        audit(viewer, "candidate.red_flag", f"Red flag on {candidate}: {flag}")
    return flag


def red_flag_remove(*, viewer: Viewer, flag: CandidateRedFlag) -> None:
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="remove red flags")
    ensure_in_scope(flag, viewer, message="No such red flag.")
    _check_open(flag.candidate.selection)
    with transaction.atomic():
        audit(viewer, "candidate.red_flag_removed", f"Removed red flag on {flag.candidate}")
        flag.delete()


def candidate_choose(*, viewer: Viewer, candidate: Candidate, today: date) -> Partner:
    """Choose a candidate: it becomes a partner of the account with the selection's scope,
    and its engagement starts with the selection stage, ready for a contract and a pilot."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="choose a partner")
    with transaction.atomic():
        selection = Selection.objects.select_for_update().get(pk=candidate.selection_id)
        ensure_in_scope(selection, viewer, message="No such candidate.")
        if selection.status == SelectionStatus.CHOSEN:
            chosen = selection.candidates.filter(partner__isnull=False).first()
            raise DomainError(
                f"This selection already chose {chosen or 'a partner'}: a candidate is chosen "
                "once.",
                code="already_chosen",
            )
        latest_scope = (
            ScopeVersion.objects.filter(selection=selection, partner__isnull=True)
            .order_by("-version")
            .first()
        )
        if latest_scope is None:
            raise DomainError(
                "Write the scope of work before choosing: the partner is chosen for a scope.",
                code="scope_missing",
            )
        if Partner.objects.filter(account=viewer.account, name=candidate.name).exists():
            raise DomainError(
                f"There already is a partner named {candidate.name} in this account.",
                code="partner_exists",
            )
        try:
            partner = Partner.objects.create(
                account=viewer.account,
                name=candidate.name,
                delivery_model=candidate.delivery_model,
                country=candidate.country,
            )
        except IntegrityError:  # two program managers choosing at the same instant
            raise DomainError(f"There already is a partner named {candidate.name}.") from None
        ScopeVersion.objects.filter(selection=selection, partner__isnull=True).update(
            partner=partner
        )
        candidate.partner = partner
        candidate.save(update_fields=["partner"])
        selection.status = SelectionStatus.CHOSEN
        selection.decided_at = clock.now()
        selection.save(update_fields=["status", "decided_at"])
        EngagementStage.objects.create(
            partner=partner,
            kind=StageKind.SELECTION,
            description=f"Chosen in '{selection}' among {selection.candidates.count()} candidates.",
            started_on=clock.local_date(selection.created_at, viewer.account),
            ended_on=today,
            approved_by=viewer.user,
            approved_by_label=viewer.user.display_name if viewer.user else "",
        )
        audit(
            viewer,
            "candidate.chosen",
            f"Chose {candidate} in {selection}: now a partner",
            partner=partner.pk,
        )
    return partner
