"""Writing the scope of work: each save writes the next version of a partner's (or a
selection's) scope, with its mix, seasonal months, baselines and checklist."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.errors import DomainError
from core.scoping import Role, Viewer, ensure_in_scope, in_scope, require_role
from engagements import domain
from engagements.models import (
    Baseline,
    BaselineSource,
    ForecastMonth,
    ItemKind,
    ScopeItem,
    ScopeLine,
    ScopeVersion,
    Selection,
    SelectionStatus,
)
from engagements.services.common import CHANNELS, EVIDENCE_URL, audit, check_currency, full_clean
from partners.models import Channel, InteractionType, Partner


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
        if not in_scope(line.interaction_type, viewer):
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
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="write scopes of work")
    if (partner is None) == (selection is None):
        raise ValueError("A scope belongs to a partner or to a selection.")
    ensure_in_scope(partner, viewer, message="No such partner.")
    ensure_in_scope(selection, viewer, message="No such selection.")
    if selection is not None and selection.status == SelectionStatus.CHOSEN:
        raise DomainError(
            "This selection has chosen its partner: change the scope on the partner's page."
        )
    currency = check_currency(data.currency)
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
        full_clean(version, exclude=["account", "partner", "selection", "created_by"])
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
            full_clean(b, exclude=["scope"])
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
            full_clean(item, exclude=["scope"])
        ScopeItem.objects.bulk_create(items)
        owner = partner or selection
        audit(
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
