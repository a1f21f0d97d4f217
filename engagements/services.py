"""Writing the engagement: scope versions, selections with their candidates, scores and red
flags, choosing a candidate, and moving an engagement through its stages. Pages, API views
and the demo all go through these functions, which check the viewer's role and the rules
and raise `DomainError` naming the problem. Each runs in one transaction: nothing is
half-written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from core import clock
from core.errors import DomainError
from core.scoping import Viewer, scope
from engagements import domain
from engagements.models import (
    Baseline,
    BaselineSource,
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    ForecastMonth,
    ItemKind,
    ScopeItem,
    ScopeLine,
    ScopeVersion,
    Selection,
    SelectionCriterion,
    SelectionStatus,
    StageKind,
)
from partners.models import BUYER_ROLES, Channel, InteractionType, Partner, Role
from partners.services import audit_record
from sla.currency import is_currency
from sla.domain import rate_card_problems
from sla.models import PricingModel
from sla.services import RateInput  # a quote's lines are given as a contract's are

CHANNELS = set(Channel.values)
EVIDENCE_URL = URLValidator(schemes=["http", "https"])


def _require_program_manager(viewer: Viewer) -> None:
    if viewer.role != Role.PROGRAM_MANAGER or viewer.read_only:
        raise DomainError(
            "Only the buyer's program managers change scopes, selections and stages.",
            code="permission_denied",
        )


def _require_buyer_evaluator(viewer: Viewer) -> None:
    if viewer.role not in BUYER_ROLES or viewer.read_only or viewer.user is None:
        raise DomainError(
            "Candidates are scored by the buyer's people, each signed in as themselves.",
            code="permission_denied",
        )


def _full_clean(obj: Any, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(
            f"{name.replace('_', ' ')}: {' '.join(messages)}" if name != "__all__"
            else " ".join(messages),
            field=None if name == "__all__" else name,
        ) from None  # fmt: skip


def _check_currency(code: str) -> str:
    code = (code or "").upper()
    if not is_currency(code):
        raise DomainError(
            f"'{code}' is not an ISO 4217 currency code (USD, EUR, GBP, ...).", field="currency"
        )
    return code


def _audit(viewer: Viewer, action: str, summary: str, **details: Any) -> None:
    audit_record(
        account=viewer.account, actor=viewer.user, action=action, summary=summary, **details
    )


# INTERACTION TYPES
# ------------------------------------------------------------------------------


def interaction_type_create(
    *, viewer: Viewer, code: str, name: str, brand_sensitive: bool = False, routine: bool = False
) -> InteractionType:
    _require_program_manager(viewer)
    kind = InteractionType(
        account=viewer.account,
        code=code.strip().lower(),
        name=name.strip(),
        is_brand_sensitive=brand_sensitive,
        is_routine=routine,
    )
    if InteractionType.objects.filter(account=viewer.account, code=kind.code).exists():
        raise DomainError(f"There already is an interaction type '{kind.code}'.", field="code")
    _full_clean(kind, exclude=["account"])
    with transaction.atomic():
        kind.save()
        _audit(viewer, "interaction_type.created", f"Added interaction type {kind.name}")
    return kind


def standard_types_ensure(*, viewer: Viewer) -> list[InteractionType]:
    """The five interaction types of DOMAIN.md's typical mix, created where missing."""
    _require_program_manager(viewer)
    with transaction.atomic():
        existing = {t.code for t in InteractionType.objects.filter(account=viewer.account)}
        InteractionType.objects.bulk_create(
            InteractionType(
                account=viewer.account,
                code=t.code,
                name=t.name,
                is_brand_sensitive=t.brand_sensitive,
                is_routine=t.routine,
            )
            for t in domain.STANDARD_MIX
            if t.code not in existing
        )
    codes = [t.code for t in domain.STANDARD_MIX]
    return sorted(
        InteractionType.objects.filter(account=viewer.account, code__in=codes),
        key=lambda t: codes.index(t.code),
    )


# SCOPE OF WORK
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    channel: str
    interaction_type: InteractionType
    contacts: int


@dataclass(frozen=True)
class BaselineInput:
    channel: str
    csat_pct: Decimal | None = None
    fcr_pct: Decimal | None = None
    aht_seconds: int | None = None
    frt_seconds: int | None = None
    cost_per_contact: Decimal | None = None
    source: str = BaselineSource.ENTERED


@dataclass(frozen=True)
class ItemInput:
    kind: str
    text: str
    framework: str = ""
    evidence: tuple[str, ...] = ()
    done: bool = False


@dataclass(frozen=True)
class ScopeInput:
    """Everything a scope version holds, as people or integrations enter it."""

    monthly_volume: int
    first_month: date
    lines: Sequence[LineInput]
    shifts: Sequence[str]
    languages: str = ""
    timezone: str = "UTC"
    currency: str = "USD"
    governance_fte: Decimal = Decimal("1.5")
    governance_fte_cost: Decimal = Decimal(0)
    months: Mapping[date, int] = field(default_factory=dict)  # month → contacts, if not typical
    baselines: Sequence[BaselineInput] = ()
    items: Sequence[ItemInput] = ()
    note: str = ""


def _check_scope(viewer: Viewer, data: ScopeInput) -> None:
    problems = domain.mix_problems(
        [domain.MixLine(li.channel, li.interaction_type.code, li.contacts) for li in data.lines],
        data.monthly_volume,
    )
    for line in data.lines:
        if line.channel not in CHANNELS:
            problems.append(f"'{line.channel}' is not a channel ({', '.join(Channel.values)}).")
        if line.interaction_type.account_id != viewer.account_id:
            problems.append("An interaction type of the mix is not part of this account.")
    if problems:
        raise DomainError(" ".join(problems), code="invalid_scope", field="lines")
    if not data.shifts:
        raise DomainError("Choose at least one shift the partner covers.", field="shifts")
    for s in data.shifts:
        if s not in domain.Shift._value2member_map_:
            choices = ", ".join(v.value for v in domain.Shift)
            raise DomainError(f"'{s}' is not a shift; use {choices}.", field="shifts")
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            f"'{data.timezone}' is not a time zone (e.g. Europe/Dublin).", field="timezone"
        ) from None
    if data.first_month.day != 1:
        raise DomainError("The forecast starts on the first day of a month.", field="first_month")
    for month, contacts in data.months.items():
        if month.day != 1:
            raise DomainError(f"{month} does not start a month.", field="months")
        if contacts < 0:
            raise DomainError(f"{month:%B %Y}: contacts cannot be negative.", field="months")
    channels = [b.channel for b in data.baselines]
    if len(channels) != len(set(channels)):
        raise DomainError("Give one in-house baseline per channel.", field="baselines")
    for item in data.items:
        if item.kind not in ItemKind.values:
            raise DomainError(f"'{item.kind}' is not a checklist kind.", field="items")
        if not item.text.strip():
            raise DomainError("Each checklist item needs its text.", field="items")
        for link in item.evidence:
            try:
                EVIDENCE_URL(link)
            except ValidationError:
                raise DomainError(
                    f"'{link}' is not a web address (http:// or https://) for evidence.",
                    field="items",
                ) from None


def _next_version(partner: Partner | None, selection: Selection | None) -> int:
    versions = (
        ScopeVersion.objects.filter(partner=partner)
        if partner
        else ScopeVersion.objects.filter(selection=selection, partner__isnull=True)
    )
    latest = versions.order_by("-version").values_list("version", flat=True).first()
    return (latest or 0) + 1


def scope_save(
    *,
    viewer: Viewer,
    data: ScopeInput,
    partner: Partner | None = None,
    selection: Selection | None = None,
) -> ScopeVersion:
    """Save the next version of a partner's (or a selection's) scope of work."""
    _require_program_manager(viewer)
    if (partner is None) == (selection is None):
        raise ValueError("A scope belongs to a partner or to a selection.")
    owner_account = (partner or selection).account_id  # type: ignore[union-attr]
    if owner_account != viewer.account_id:
        raise DomainError("No such partner or selection.")
    if selection is not None and selection.status == SelectionStatus.CHOSEN:
        raise DomainError(
            "This selection has chosen its partner: change the scope on the partner's page."
        )
    currency = _check_currency(data.currency)
    _check_scope(viewer, data)
    with transaction.atomic():
        version = ScopeVersion(
            account=viewer.account,
            partner=partner,
            selection=selection,
            version=_next_version(partner, selection),
            monthly_volume=data.monthly_volume,
            first_month=data.first_month,
            shifts=sorted(set(data.shifts)),
            languages=data.languages.strip(),
            timezone=data.timezone,
            currency=currency,
            governance_fte=data.governance_fte,
            governance_fte_cost=data.governance_fte_cost,
            note=data.note.strip(),
            created_by=viewer.user,
        )
        _full_clean(version, exclude=["account", "partner", "selection", "created_by"])
        try:
            with transaction.atomic():
                version.save()
        except IntegrityError:  # another program manager saved the same version first
            raise DomainError(
                f"Version {version.version} of this scope was saved by someone else a moment "
                "ago: reload the page to see it, then save your changes again.",
                code="conflict",
            ) from None
        ScopeLine.objects.bulk_create(
            ScopeLine(
                scope=version,
                channel=li.channel,
                interaction_type=li.interaction_type,
                contacts=li.contacts,
            )
            for li in data.lines
        )
        ForecastMonth.objects.bulk_create(
            ForecastMonth(scope=version, month=m, contacts=n)
            for m, n in sorted(data.months.items())
        )
        baselines = [Baseline(scope=version, **b.__dict__) for b in data.baselines]
        for b in baselines:
            _full_clean(b, exclude=["scope"])
        Baseline.objects.bulk_create(baselines)
        items = [
            ScopeItem(
                scope=version,
                kind=i.kind,
                framework=i.framework,
                text=i.text.strip(),
                evidence=list(i.evidence),
                done=i.done,
                position=n,
            )
            for n, i in enumerate(data.items)
        ]
        for item in items:
            _full_clean(item, exclude=["scope"])
        ScopeItem.objects.bulk_create(items)
        owner = partner or selection
        _audit(
            viewer,
            "scope.saved",
            f"Saved scope version {version.version} for {owner}",
            scope=version.pk,
        )
    return version


def scope_input_from(version: ScopeVersion) -> ScopeInput:
    """A saved version as input: the starting point of the next one."""
    return ScopeInput(
        monthly_volume=version.monthly_volume,
        first_month=version.first_month,
        lines=[
            LineInput(li.channel, li.interaction_type, li.contacts)
            for li in version.lines.select_related("interaction_type")
        ],
        shifts=list(version.shifts),
        languages=version.languages,
        timezone=version.timezone,
        currency=version.currency,
        governance_fte=version.governance_fte,
        governance_fte_cost=version.governance_fte_cost,
        months={m.month: m.contacts for m in version.months.all()},
        baselines=[
            BaselineInput(
                b.channel,
                b.csat_pct,
                b.fcr_pct,
                b.aht_seconds,
                b.frt_seconds,
                b.cost_per_contact,
                b.source,
            )
            for b in version.baselines.all()
        ],  # fmt: skip
        items=[
            ItemInput(i.kind, i.text, i.framework, tuple(i.evidence), i.done)
            for i in version.items.all()
        ],
        note=version.note,
    )


# SELECTION
# ------------------------------------------------------------------------------


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
    _require_program_manager(viewer)
    selection = Selection(
        account=viewer.account,
        name=name.strip(),
        currency=_check_currency(currency),
        assumed_fcr_pct=assumed_fcr_pct,
        handle_minutes=handle_minutes,
        productive_hours_per_fte=productive_hours_per_fte,
        created_by=viewer.user,
    )
    _full_clean(selection, exclude=["account", "created_by"])
    with transaction.atomic():
        selection.save()
        SelectionCriterion.objects.bulk_create(
            SelectionCriterion(
                selection=selection, key=c.key, name=c.name, help=c.help, weight=c.weight,
                position=n,
            )
            for n, c in enumerate(domain.DEFAULT_CRITERIA)
        )  # fmt: skip
        _audit(viewer, "selection.created", f"Started selection {selection}")
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
    _require_program_manager(viewer)
    _check_open(selection)
    for name, value in fields.items():
        setattr(selection, name, value)
    selection.currency = _check_currency(selection.currency)
    _full_clean(selection, exclude=["account", "created_by"])
    with transaction.atomic():
        selection.save()
        if weights is not None:
            criteria_weights_save(viewer=viewer, selection=selection, weights=weights)
        _audit(viewer, "selection.updated", f"Updated selection {selection}")
    return selection


def criteria_weights_save(
    *, viewer: Viewer, selection: Selection, weights: Mapping[str, Decimal]
) -> None:
    _require_program_manager(viewer)
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
        _audit(viewer, "selection.weights", f"Changed criterion weights of {selection}")


CHANNEL_LABELS = dict(Channel.choices)


def _quote_lines(candidate: Candidate, rates: Sequence[RateInput]) -> list[CandidateRate]:
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
    lines = []
    for number, given in enumerate(rates, start=1):
        where = f"Line {number}"
        if given.channel not in Channel.values:
            raise DomainError(f"{where}: '{given.channel}' is not a channel.", field="rates")
        where += f" ({CHANNEL_LABELS[given.channel].lower()})"
        if given.pricing_model not in PricingModel.values:
            choices = ", ".join(PricingModel.values)
            raise DomainError(
                f"{where}: '{given.pricing_model}' is not a pricing model ({choices}).",
                field="rates",
            )
        if given.rate is None:
            raise DomainError(f"{where}: enter its rate.", field="rates")
        if given.currency and given.currency.upper() != currency:
            raise DomainError(
                f"{where} is in {given.currency.upper()}, the selection in {currency}: quotes "
                "are compared in the selection's currency.",
                field="rates",
            )
        kind = given.interaction_type
        if kind is not None and kind.account_id != candidate.selection.account_id:
            raise DomainError(f"{where}: no such interaction type.", field="rates")
        hybrid = given.pricing_model == PricingModel.HYBRID
        lines.append(
            CandidateRate(
                candidate=candidate,
                channel=given.channel,
                interaction_type=kind,
                pricing_model=given.pricing_model,
                rate=given.rate,
                hybrid_base=given.hybrid_base if hybrid else "",
                resolution_bonus=(given.resolution_bonus or Decimal(0)) if hybrid else Decimal(0),
            )
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
    _require_program_manager(viewer)
    if candidate.selection.account_id != viewer.account_id:
        raise DomainError("No such selection.")
    _check_open(candidate.selection)
    clash = Candidate.objects.filter(selection=candidate.selection, name=candidate.name)
    if clash.exclude(pk=candidate.pk).exists():
        raise DomainError(f"There already is a candidate named {candidate.name}.", field="name")
    _full_clean(candidate, exclude=["selection", "partner"])
    created = candidate.pk is None
    if rates is None and created:
        raise DomainError(
            "Give the candidate's quote: at least one rate line pricing a channel.",
            code="invalid_rate_card",
            field="rates",
        )
    lines = _quote_lines(candidate, rates) if rates is not None else None
    with transaction.atomic():
        candidate.save()
        if lines is not None:
            candidate.rates.all().delete()
            CandidateRate.objects.bulk_create(lines)
        _audit(
            viewer,
            "candidate.created" if created else "candidate.updated",
            f"{'Added' if created else 'Updated'} candidate {candidate} in {candidate.selection}",
        )
    return candidate


@dataclass(frozen=True)
class ScoreInput:
    criterion: str  # key
    score: int | None  # None: not scored (removes an earlier score)
    evidence: str = ""


def scores_save(*, viewer: Viewer, candidate: Candidate, scores: Sequence[ScoreInput]) -> int:
    """The viewer's own scores of a candidate, all checked before any is written."""
    _require_buyer_evaluator(viewer)
    if candidate.selection.account_id != viewer.account_id:
        raise DomainError("No such candidate.")
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
        _audit(viewer, "candidate.scored", f"Scored {candidate} on {written} criteria")
    return written


def red_flag_add(
    *, viewer: Viewer, candidate: Candidate, kind: str, note: str = ""
) -> CandidateRedFlag:
    _require_buyer_evaluator(viewer)
    if candidate.selection.account_id != viewer.account_id:
        raise DomainError("No such candidate.")
    _check_open(candidate.selection)
    if kind not in domain.RedFlag._value2member_map_:
        raise DomainError(f"'{kind}' is not a red flag Keel knows.", field="kind")
    if kind == domain.RedFlag.OTHER and not note.strip():
        raise DomainError("Say what the red flag is.", field="note")
    flag = CandidateRedFlag(
        candidate=candidate, kind=kind, note=note.strip(), raised_by=viewer.user
    )
    _full_clean(flag, exclude=["candidate", "raised_by"])
    with transaction.atomic():
        flag.save()
        _audit(viewer, "candidate.red_flag", f"Red flag on {candidate}: {flag}")
    return flag


def red_flag_remove(*, viewer: Viewer, flag: CandidateRedFlag) -> None:
    _require_program_manager(viewer)
    _check_open(flag.candidate.selection)
    with transaction.atomic():
        _audit(viewer, "candidate.red_flag_removed", f"Removed red flag on {flag.candidate}")
        flag.delete()


def candidate_choose(*, viewer: Viewer, candidate: Candidate, today: date) -> Partner:
    """Choose a candidate: it becomes a partner of the account with the selection's scope,
    and its engagement starts with the selection stage, ready for a contract and a pilot."""
    _require_program_manager(viewer)
    with transaction.atomic():
        selection = Selection.objects.select_for_update().get(pk=candidate.selection_id)
        if selection.account_id != viewer.account_id:
            raise DomainError("No such candidate.")
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
        _audit(
            viewer,
            "candidate.chosen",
            f"Chose {candidate} in {selection}: now a partner",
            partner=partner.pk,
        )
    return partner


# ENGAGEMENT STAGES
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageInput:
    kind: str
    started_on: date
    expansion: str = ""
    description: str = ""
    channels: Sequence[str] = ()
    interaction_types: Sequence[InteractionType] = ()
    shifts: Sequence[str] = ()
    ramp_weeks: int | None = None
    gate_months: int = 2
    alignment_threshold_pct: Decimal = Decimal(85)
    override_reason: str = ""
    back_reason: str = ""


def current_stage(partner: Partner) -> EngagementStage | None:
    return partner.stages.order_by("-started_on", "-pk").first()


def _check_stage(partner: Partner, data: StageInput, current: EngagementStage | None) -> None:
    if data.kind not in StageKind.values:
        raise DomainError(f"'{data.kind}' is not a stage.", field="kind")
    kind = domain.StageKind(data.kind)
    if kind is domain.StageKind.EXPANSION:
        if data.expansion not in domain.Expansion._value2member_map_:
            choices = ", ".join(e.value for e in domain.Expansion)
            raise DomainError(f"Say what the expansion adds: {choices}.", field="expansion")
    elif data.expansion:
        raise DomainError("Only an expansion step adds an expansion kind.", field="expansion")
    problem = domain.move_problem(
        domain.StageKind(current.kind) if current else None, kind, data.back_reason
    )
    if problem:
        raise DomainError(problem, code="stage_backwards", field="back_reason")
    if current is not None and data.started_on < current.started_on:
        raise DomainError(
            f"The new stage cannot start ({data.started_on}) before the current one "
            f"({current.started_on}).",
            field="started_on",
        )
    unknown = [c for c in data.channels if c not in CHANNELS]
    if unknown:
        raise DomainError(f"'{unknown[0]}' is not a channel.", field="channels")
    bad_shift = [s for s in data.shifts if s not in domain.Shift._value2member_map_]
    if bad_shift:
        raise DomainError(f"'{bad_shift[0]}' is not a shift.", field="shifts")
    if any(t.account_id != partner.account_id for t in data.interaction_types):
        raise DomainError("An interaction type is not part of this account.")
    if kind is domain.StageKind.PILOT and (
        len(data.channels) > 1 or len(data.interaction_types) > 1 or len(data.shifts) > 1
    ):
        raise DomainError(
            "A pilot runs on a tight scope: one channel, one interaction type, one shift.",
            code="pilot_too_wide",
        )


def stage_start(
    *, viewer: Viewer, partner: Partner, data: StageInput, gate: domain.Gate | None = None
) -> EngagementStage:
    """Move the engagement to a new stage. An expansion step is gated: when `gate` (see
    `engagements.selectors.gate_for`) is red, the step needs a reason to be approved anyway,
    and the gate is recorded as it stood."""
    _require_program_manager(viewer)
    if partner.account_id != viewer.account_id:
        raise DomainError("No such partner.")
    with transaction.atomic():
        Partner.objects.select_for_update().filter(pk=partner.pk).first()
        current = current_stage(partner)
        _check_stage(partner, data, current)
        kind = domain.StageKind(data.kind)
        gated = kind is domain.StageKind.EXPANSION
        if gated and gate is None:
            raise ValueError("An expansion step needs its gate.")
        if gated and gate is not None and not gate.green and not data.override_reason.strip():
            raise DomainError(
                "The gate is red: "
                + " ".join(gate.reasons)
                + " To expand anyway, give the reason you approve the step despite it.",
                code="gate_red",
                field="override_reason",
            )
        flag = ""
        if data.ramp_weeks is not None and kind in {
            domain.StageKind.PILOT,
            domain.StageKind.EXPANSION,
        }:
            routine_only = bool(data.interaction_types) and all(
                t.is_routine for t in data.interaction_types
            )
            brand = data.expansion == domain.Expansion.BRAND_SENSITIVE or any(
                t.is_brand_sensitive for t in data.interaction_types
            )
            flag = (
                domain.ramp_flag(data.ramp_weeks, routine_only=routine_only, brand_sensitive=brand)
                or ""
            )
        stage = EngagementStage(
            partner=partner,
            kind=data.kind,
            expansion=data.expansion,
            description=data.description.strip(),
            started_on=data.started_on,
            channels=list(dict.fromkeys(data.channels)),
            shifts=list(dict.fromkeys(data.shifts)),
            ramp_weeks=data.ramp_weeks,
            ramp_flag=flag,
            gate_months=data.gate_months,
            alignment_threshold_pct=data.alignment_threshold_pct,
            back_reason=data.back_reason.strip(),
            approved_by=viewer.user,
            approved_by_label=viewer.label,
        )
        if gated and gate is not None:
            stage.gate_green = gate.green
            stage.gate_reasons = list(gate.reasons)
            stage.gate_alignment = gate.alignment
            stage.override_reason = "" if gate.green else data.override_reason.strip()
        _full_clean(stage, exclude=["partner", "approved_by"])
        if current is not None and current.ended_on is None:
            current.ended_on = data.started_on
            current.save(update_fields=["ended_on"])
        stage.save()
        stage.interaction_types.set(data.interaction_types)
        if kind is domain.StageKind.PILOT and partner.go_live_date is None:
            partner.go_live_date = data.started_on
            partner.save(update_fields=["go_live_date"])
        despite = " despite a red gate" if stage.approved_despite_red else ""
        _audit(
            viewer,
            "stage.started",
            f"{partner}: {stage.title} from {stage.started_on}{despite}",
            stage=stage.pk,
        )
    return stage


def scoped_types(viewer: Viewer, codes: Sequence[str]) -> list[InteractionType]:
    """The viewer's account's interaction types with these codes; unknown codes refused."""
    found = {t.code: t for t in scope(InteractionType, viewer).filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(f"No interaction type '{missing[0]}' in this account.")
    return [found[c] for c in codes]
