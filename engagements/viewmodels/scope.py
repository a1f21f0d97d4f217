"""A scope version as its pages show it: the mix per channel, the in-house baseline in
words, the checklist with its evidence links, scope discipline and forecast against actual
volume, with shares as percentages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.formatting import as_percent, percent_text
from core.scoping import Viewer, scope
from engagements import domain, selectors
from engagements.models import Baseline, ItemKind, ScopeItem, ScopeLine, ScopeVersion
from kpis.domain import Kpi
from kpis.templatetags.kpi import format_kpi
from partners.models import Channel, InteractionType, Partner
from sla.currency import minor_digits
from sla.domain import format_money

CHANNEL_LABELS = dict(Channel.choices)
MISSING = "–"  # Keel's mark for a figure there is none of (as `core.formatting`'s)


# THE MIX
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixRow:
    type_name: str
    brand_sensitive: bool
    contacts: int
    share: Decimal | None  # % of the month


@dataclass(frozen=True)
class MixChannel:
    channel: str
    label: str
    contacts: int
    share: Decimal | None
    rows: list[MixRow]


def mix_table(version: ScopeVersion) -> list[MixChannel]:
    """The mix per channel, each interaction type with its share of the whole month."""
    lines = list(version.lines.all())
    total = sum(li.contacts for li in lines)
    grouped: dict[str, list[ScopeLine]] = defaultdict(list)
    for li in lines:
        grouped[li.channel].append(li)
    order = list(CHANNEL_LABELS)
    result = []
    for channel in sorted(grouped, key=lambda c: order.index(c) if c in order else len(order)):
        rows = sorted(grouped[channel], key=lambda li: (-li.contacts, li.interaction_type.name))
        contacts = sum(li.contacts for li in rows)
        result.append(
            MixChannel(
                channel,
                CHANNEL_LABELS.get(channel, channel),
                contacts,
                as_percent(domain.share(contacts, total)),
                [
                    MixRow(
                        li.interaction_type.name,
                        li.interaction_type.is_brand_sensitive,
                        li.contacts,
                        as_percent(domain.share(li.contacts, total)),
                    )
                    for li in rows
                ],
            )
        )
    return result


# THE IN-HOUSE BASELINE
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineRow:
    baseline: Baseline
    csat: str
    fcr: str
    aht: str
    frt: str
    cost_per_contact: str
    cost_per_resolved: str


def _pct_text(pct: Decimal | None) -> str:
    """A baseline's percentage (88.5, stored as typed) in Keel's one format: "88.5 %"."""
    return percent_text(None if pct is None else pct / 100)


def _seconds_text(kpi: Kpi, value: int | None) -> str:
    return format_kpi(kpi, None if value is None else Decimal(value))


def baseline_rows(version: ScopeVersion) -> list[BaselineRow]:
    minor = minor_digits(version.currency)

    def money(amount: Decimal | None) -> str:
        return MISSING if amount is None else format_money(amount, version.currency, minor)

    return [
        BaselineRow(
            b,
            _pct_text(b.csat_pct),
            _pct_text(b.fcr_pct),
            _seconds_text(Kpi.AHT, b.aht_seconds),
            _seconds_text(Kpi.FRT, b.frt_seconds),
            money(b.cost_per_contact),
            money(b.cost_per_resolved),
        )
        for b in version.baselines.all()
    ]


# THE CHECKLIST
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    url: str
    linkable: bool  # http(s) only: anything else (an API client's typo) is shown as text


@dataclass(frozen=True)
class CheckItem:
    item: ScopeItem
    evidence: list[Evidence]


def checklist(version: ScopeVersion) -> dict[str, list[CheckItem]]:
    """Escalation criteria and compliance requirements, each with its evidence links."""
    groups: dict[str, list[CheckItem]] = {ItemKind.ESCALATION: [], ItemKind.COMPLIANCE: []}
    for item in version.items.all():
        links = [
            Evidence(url, url.lower().startswith(("https://", "http://"))) for url in item.evidence
        ]
        groups.setdefault(item.kind, []).append(CheckItem(item, links))
    return groups


# SCOPE DISCIPLINE
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutOfScopeRow:
    channel: str
    type_name: str
    shift: str
    reason: str
    contacts: int
    share: Decimal | None  # % of all contacts


@dataclass(frozen=True)
class DisciplineView:
    discipline: domain.Discipline
    start: date
    end: date
    healthy_pct: Decimal
    out_of_scope: list[OutOfScopeRow]

    @property
    def share(self) -> Decimal | None:
        return as_percent(self.discipline.share)


def discipline_view(
    viewer: Viewer, partner: Partner, version: ScopeVersion, today: date
) -> DisciplineView:
    """The last four weeks' scope discipline, as the scope page shows it."""
    found, start, end = selectors.recent_discipline(viewer, partner, version, today)
    return _discipline_view(viewer, found, start, end)


def discipline_view_between(
    viewer: Viewer, partner: Partner, version: ScopeVersion, start: date, end: date
) -> DisciplineView:
    """Scope discipline of the contacts opened from `start` to `end` (a QBR's quarter)."""
    found = selectors.discipline(viewer, partner, version, start, end)
    return _discipline_view(viewer, found, start, end)


def _discipline_view(
    viewer: Viewer, found: domain.Discipline, start: date, end: date
) -> DisciplineView:
    names: dict[str, str] = {}
    if found.out_of_scope:
        names = dict(scope(InteractionType, viewer).values_list("code", "name"))
    rows = [
        OutOfScopeRow(
            CHANNEL_LABELS.get(o.channel, o.channel),
            names.get(o.type_code, o.type_code),
            domain.SHIFT_LABELS[o.shift],
            domain.REASON_TEXT[o.reason],
            o.contacts,
            as_percent(domain.share(o.contacts, found.contacts)),
        )
        for o in found.out_of_scope
    ]
    return DisciplineView(
        found, start, end, as_percent(domain.DISCIPLINE_HEALTHY) or Decimal(0), rows
    )


# FORECAST AGAINST ACTUAL
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeMonthRow:
    row: selectors.VolumeRow
    cells: list[tuple[int | None, int | None]]  # (forecast, actual) per channel

    @property
    def gap(self) -> Decimal | None:
        return as_percent(self.row.gap)


@dataclass(frozen=True)
class TypeRowView:
    row: selectors.TypeRow
    channel: str

    @property
    def gap(self) -> Decimal | None:
        return as_percent(self.row.gap)


@dataclass(frozen=True)
class VolumeView:
    found: selectors.ForecastVsActual
    channels: list[tuple[str, str]]
    months: list[VolumeMonthRow]
    by_type: list[TypeRowView]
    case_ratio: Decimal

    @property
    def has_actual(self) -> bool:
        return any(m.row.actual is not None for m in self.months)


def volume_view(found: selectors.ForecastVsActual) -> VolumeView:
    seen = {c for r in found.months for c in (*r.forecast_by_channel, *r.actual_by_channel)}
    channels = [(c, label) for c, label in CHANNEL_LABELS.items() if c in seen]
    months = [
        VolumeMonthRow(
            r,
            [
                (
                    r.forecast_by_channel.get(c, 0),
                    r.actual_by_channel.get(c, 0 if r.actual is not None else None),
                )
                for c, _ in channels
            ],
        )
        for r in found.months
    ]
    by_type = [TypeRowView(t, CHANNEL_LABELS.get(t.channel, t.channel)) for t in found.by_type]
    return VolumeView(found, channels, months, by_type, domain.PEAK_TO_TROUGH_CASE)
