"""Reading the engagement: a partner's current scope, forecast against actual volume, scope
discipline, expansion gates, cost per resolved contact, the pricing what-if, and the
selection comparison. Every queryset comes through `partners.scoping`; aggregations are SQL,
and the rules applied to their results are `engagements.domain`'s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Prefetch, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth

from core import clock
from core.formatting import as_percent
from core.scoping import Viewer, get_scoped_or_404, scope
from engagements import domain
from engagements.models import (
    BaselineSource,
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    ScopeLine,
    ScopeVersion,
    Selection,
    StageKind,
)
from engagements.services import BaselineInput
from kpis.domain import Counts, Kpi, kpi_values
from kpis.models import CONTACT_COUNT_FIELDS, Interaction, KpiSnapshot
from kpis.periods import Period, PeriodType
from partners.models import Channel, Partner
from sla.currency import minor_digits
from sla.domain import (
    PricingModel,
    TypeVolume,
    Volumes,
    format_money,
    governable,
    rate_card_invoice,
)
from sla.evaluation import calibration_alignment, month_of
from sla.models import BandKind, BandStatus, ChannelVolume, Decision, RateLine, Settlement

CHANNEL_LABELS = dict(Channel.choices)
CHANNEL_ORDER = list(CHANNEL_LABELS)


def _channel_key(channel: str) -> int:
    return CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else len(CHANNEL_ORDER)


def _months_back(today: date, count: int) -> list[date]:
    """The first days of the `count` complete months before `today`'s, oldest first."""
    months = []
    period = month_of(today).previous()
    for _ in range(count):
        months.append(period.start)
        period = period.previous()
    return months[::-1]


def _month_totals(viewer: Viewer, partner: Partner) -> QuerySet[KpiSnapshot]:
    """The partner's monthly channel totals (snapshots without an agent)."""
    return scope(KpiSnapshot, viewer).filter(
        partner=partner, agent__isnull=True, period_type=PeriodType.MONTH
    )


# SCOPE
# ------------------------------------------------------------------------------


def _with_parts(qs: QuerySet[ScopeVersion]) -> QuerySet[ScopeVersion]:
    return qs.select_related("created_by", "partner", "selection").prefetch_related(
        Prefetch("lines", queryset=ScopeLine.objects.select_related("interaction_type")),
        "months",
        "baselines",
        "items",
    )


def current_scope(viewer: Viewer, partner: Partner) -> ScopeVersion | None:
    return (
        _with_parts(scope(ScopeVersion, viewer).filter(partner=partner))
        .order_by("-version")
        .first()
    )


def scope_version(viewer: Viewer, partner: Partner, number: int) -> ScopeVersion:
    """One version of the partner's scope with its parts, or a 404."""
    return get_scoped_or_404(_with_parts(ScopeVersion.objects.filter(partner=partner)), viewer,
                             version=number)  # fmt: skip


def selection_scope(viewer: Viewer, selection: Selection) -> ScopeVersion | None:
    return (
        _with_parts(scope(ScopeVersion, viewer).filter(selection=selection))
        .order_by("-version")
        .first()
    )


def scope_versions(viewer: Viewer, partner: Partner) -> QuerySet[ScopeVersion]:
    return (
        scope(ScopeVersion, viewer)
        .filter(partner=partner)
        .select_related("created_by")
        .annotate(line_count=Count("lines"))
        .order_by("-version")
    )


def mix_lines(version: ScopeVersion) -> list[domain.MixLine]:
    return [
        domain.MixLine(li.channel, li.interaction_type.code, li.contacts)
        for li in version.lines.all()
    ]


def forecast_total(version: ScopeVersion, month: date) -> int:
    overrides = {m.month: m.contacts for m in version.months.all()}
    return overrides.get(month, version.monthly_volume)


@dataclass(frozen=True)
class VolumeRow:
    """Forecast and actual contacts of one month, per channel and in total."""

    month: date
    forecast: int
    actual: int | None  # None before data
    forecast_by_channel: dict[str, int]
    actual_by_channel: dict[str, int]

    @property
    def gap(self) -> Decimal | None:
        if self.actual is None or not self.forecast:
            return None
        return domain.share(self.actual - self.forecast, self.forecast)


@dataclass(frozen=True)
class TypeRow:
    channel: str
    type_code: str
    type_name: str
    forecast: int
    actual: int

    @property
    def gap(self) -> Decimal | None:
        return domain.share(self.actual - self.forecast, self.forecast) if self.forecast else None


@dataclass(frozen=True)
class ForecastVsActual:
    months: list[VolumeRow]
    by_type: list[TypeRow]  # the last complete month with contact rows
    by_type_month: date | None
    forecast_peak_to_trough: Decimal | None
    actual_peak_to_trough: Decimal | None

    @property
    def outsourcing_case(self) -> bool:
        ratio = self.actual_peak_to_trough or self.forecast_peak_to_trough
        return ratio is not None and ratio > domain.PEAK_TO_TROUGH_CASE


def forecast_vs_actual(
    viewer: Viewer, partner: Partner, version: ScopeVersion, today: date, months: int = 12
) -> ForecastVsActual:
    """Forecast against actual volume for the last `months` complete months, per channel
    (monthly snapshots) and, for the last month with contact rows, per interaction type."""
    # Months before the scope's forecast begins have no forecast to compare with.
    firsts = [m for m in _months_back(today, months) if m >= version.first_month]
    lines = mix_lines(version)
    actual: dict[date, dict[str, int]] = defaultdict(dict)
    rows = (
        _month_totals(viewer, partner)
        .filter(period_start__in=firsts)
        .values_list("period_start", "channel", "contacts")
    )
    for month, channel, contacts in rows:
        actual[month][channel] = contacts
    result = []
    for month in firsts:
        total = forecast_total(version, month)
        per = domain.month_forecast(lines, version.monthly_volume, total)
        by_channel: dict[str, int] = defaultdict(int)
        for (channel, _type), n in per.items():
            by_channel[channel] += n
        seen = actual.get(month)
        result.append(
            VolumeRow(
                month,
                total,
                sum(seen.values()) if seen else None,
                dict(by_channel),
                dict(seen or {}),
            )
        )
    by_type, type_month = (
        _actual_by_type(viewer, partner, version, firsts) if firsts else ([], None)
    )
    # A month the partner worked only part of (its go-live month, the first month of the
    # data) would pass for a trough: the actual ratio counts whole months only.
    first_week = (
        scope(KpiSnapshot, viewer)
        .filter(partner=partner, agent__isnull=True, period_type=PeriodType.WEEK)
        .aggregate(first=Min("period_start"))["first"]
    )
    whole = [
        r.actual
        for r in result
        if r.actual is not None
        and (partner.go_live_date is None or r.month >= partner.go_live_date)
        and (first_week is None or r.month >= first_week)
    ]
    return ForecastVsActual(
        result,
        by_type,
        type_month,
        domain.peak_to_trough(r.forecast for r in result),
        domain.peak_to_trough(whole),
    )


def _actual_by_type(
    viewer: Viewer, partner: Partner, version: ScopeVersion, firsts: list[date]
) -> tuple[list[TypeRow], date | None]:
    interactions = scope(Interaction, viewer).filter(partner=partner)
    # Months are the account's, cut at midnight in its time zone as snapshots cut them (the
    # scope's own time zone is for shift hours).
    zone = clock.zone(viewer.account)
    counted = (
        interactions.filter(opened_at__gte=clock.start_of(firsts[0], zone))
        .annotate(month=TruncMonth("opened_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-month")
    )
    complete = {row["month"].astimezone(zone).date() if isinstance(row["month"], datetime)
                else row["month"] for row in counted}  # fmt: skip
    month = next((m for m in reversed(firsts) if m in complete), None)
    if month is None:
        return [], None
    end = Period(PeriodType.MONTH, month).next().start
    groups = (
        interactions.filter(
            opened_at__gte=clock.start_of(month, zone), opened_at__lt=clock.start_of(end, zone)
        )
        .values("channel", "interaction_type__code", "interaction_type__name")
        .annotate(n=Count("pk"))
    )
    forecast = domain.month_forecast(
        mix_lines(version), version.monthly_volume, forecast_total(version, month)
    )
    names = {li.interaction_type.code: li.interaction_type.name for li in version.lines.all()}
    rows: dict[tuple[str, str], TypeRow] = {
        key: TypeRow(key[0], key[1], names[key[1]], n, 0) for key, n in forecast.items()
    }
    for g in groups:
        key = (g["channel"], g["interaction_type__code"])
        before = rows.get(key)
        rows[key] = TypeRow(
            key[0], key[1], g["interaction_type__name"], before.forecast if before else 0, g["n"]
        )
    ordered = sorted(rows.values(), key=lambda r: (_channel_key(r.channel), -r.forecast))
    return ordered, month


# Scope discipline
# ------------------------------------------------------------------------------


def discipline(
    viewer: Viewer, partner: Partner, version: ScopeVersion, start: date, end: date
) -> domain.Discipline:
    """Scope discipline of the contacts opened from `start` to `end` (inclusive): grouped in
    SQL by channel, interaction type, and the weekday and hour in the scope's time zone."""
    tz = ZoneInfo(version.timezone)
    groups = (
        scope(Interaction, viewer)
        .filter(
            partner=partner,
            opened_at__gte=datetime.combine(start, time.min, tzinfo=tz),
            opened_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
        )
        .annotate(
            weekday=ExtractIsoWeekDay("opened_at", tzinfo=tz),
            hour=ExtractHour("opened_at", tzinfo=tz),
        )
        .values("channel", "interaction_type__code", "weekday", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return domain.scope_discipline(
        (
            domain.WorkGroup(
                g["channel"], g["interaction_type__code"], g["weekday"], g["hour"], g["n"]
            )
            for g in groups
        ),
        [(li.channel, li.interaction_type.code) for li in version.lines.all() if li.contacts > 0],
        version.shift_values,
    )


def recent_discipline(
    viewer: Viewer, partner: Partner, version: ScopeVersion, today: date, weeks: int = 4
) -> tuple[domain.Discipline, date, date]:
    end = today - timedelta(days=1)
    start = end - timedelta(days=7 * weeks - 1)
    return discipline(viewer, partner, version, start, end), start, end


# In-house baseline
# ------------------------------------------------------------------------------


def _whole(value: Decimal | None) -> int | None:
    return int(value.to_integral_value()) if value is not None else None


def in_house_baseline(
    viewer: Viewer, in_house: Partner, today: date, months: int = 3
) -> list[BaselineInput]:
    """The in-house team's CSAT, FCR, AHT and first response time per channel over the last
    `months` complete months, from its monthly snapshots (summed in SQL): the baseline a
    partner must match or beat. Cost per contact is not in KPI data, so it stays empty."""
    firsts = _months_back(today, months)
    rows = (
        _month_totals(viewer, in_house)
        .filter(period_start__in=firsts)
        .values("channel")
        .annotate(**{f: Sum(f) for f in CONTACT_COUNT_FIELDS})
        .order_by()
    )
    days = sum(Period(PeriodType.MONTH, m).days for m in firsts)
    result = []
    for row in sorted(rows, key=lambda r: _channel_key(r["channel"])):
        counts = Counts(**{f: row[f] or 0 for f in CONTACT_COUNT_FIELDS})
        if not counts.contacts:
            continue
        values = kpi_values(counts, period_days=days)
        result.append(
            BaselineInput(
                row["channel"],
                csat_pct=as_percent(values[Kpi.CSAT].value, 2),
                fcr_pct=as_percent(values[Kpi.FCR].value, 2),
                aht_seconds=_whole(values[Kpi.AHT].value),
                frt_seconds=_whole(values[Kpi.FRT].value),
                source=BaselineSource.IN_HOUSE,
            )
        )
    return result


# GATES
# ------------------------------------------------------------------------------


BELOW_BASE = {BandKind.REMEDIATION, BandKind.PENALTY, BandKind.CUSTOM}


def live_channels(partner: Partner) -> set[str]:
    """The channels the engagement's pilot and expansion steps have brought into scope (none
    recorded: every channel)."""
    recorded = partner.stages.filter(kind__in=[StageKind.PILOT, StageKind.EXPANSION]).values_list(
        "channels", flat=True
    )
    return {c for channels in recorded for c in channels}


def gate_months(
    viewer: Viewer, partner: Partner, today: date, count: int, channels: set[str] | None = None
) -> list[domain.GateMonth]:
    """The last `count` complete months, newest first: at SLA when every decided governed KPI
    (of `channels`, when given) stood in base or better; None when none was decided."""
    firsts = _months_back(today, count)
    statuses = scope(BandStatus, viewer).filter(
        partner=partner, month_complete=True, month__in=firsts
    )
    if channels:
        statuses = statuses.filter(channel__in=channels)
    by_month: dict[date, list[tuple[str, str, str]]] = defaultdict(list)
    for month, channel, kpi, band_kind in statuses.filter(decision=Decision.DECIDED).values_list(
        "month", "channel", "kpi", "band_kind"
    ):
        by_month[month].append((channel, kpi, band_kind))
    months = []
    for month in reversed(firsts):
        decided = sorted(by_month.get(month, []))
        below = tuple(
            f"{governable(kpi).label} {CHANNEL_LABELS.get(ch, ch).lower()}"
            for ch, kpi, kind in decided
            if kind in BELOW_BASE
        )
        months.append(domain.GateMonth(f"{month:%B %Y}", (not below) if decided else None, below))
    return months


def recent_alignment(partner: Partner, today: date, count: int) -> Decimal | None:
    """Mean calibration agreement over the sessions revealed in the last `count` complete
    months, weighted by sessions."""
    total, sessions = Decimal(0), 0
    for start in _months_back(today, count):
        measured = calibration_alignment(
            partner.pk, Period(PeriodType.MONTH, start), partner.account
        )
        if measured is not None and measured.value is not None:
            total += measured.value * measured.sample
            sessions += measured.sample
    return (total / sessions).quantize(Decimal("0.0001")) if sessions else None


def gate_for(
    viewer: Viewer, partner: Partner, today: date, *, months: int, threshold_pct: Decimal
) -> domain.Gate:
    return domain.gate(
        gate_months(viewer, partner, today, months, live_channels(partner)),
        months_needed=months,
        alignment=recent_alignment(partner, today, months),
        alignment_threshold=threshold_pct / 100,
    )


def stages(viewer: Viewer, partner: Partner) -> list[EngagementStage]:
    return list(
        scope(EngagementStage, viewer)
        .filter(partner=partner)
        .prefetch_related("interaction_types")
        .order_by("started_on", "pk")
    )


def next_step(stage_list: list[EngagementStage]) -> domain.PlannedStep | None:
    return domain.next_planned(
        [
            (domain.StageKind(s.kind), domain.Expansion(s.expansion) if s.expansion else None)
            for s in stage_list
            if s.kind in {StageKind.PILOT, StageKind.EXPANSION}
        ]
    )


# COST PER RESOLVED CONTACT
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostCell:
    channel: str
    month: date
    cost: domain.MonthCost


@dataclass(frozen=True)
class CostView:
    currency: str | None
    minor: int
    months: list[date]
    cells: dict[tuple[str, date], domain.MonthCost]
    totals: dict[date, domain.MonthCost]
    in_house: dict[str, Decimal | None]  # channel → in-house cost per resolved contact
    governance_monthly: Decimal
    channels: list[str] = field(default_factory=list)

    def money(self, amount: Decimal | None) -> str:
        if amount is None or self.currency is None:
            return "—"
        return format_money(amount, self.currency, self.minor)

    @property
    def latest(self) -> domain.MonthCost | None:
        for month in reversed(self.months):
            if month in self.totals:
                return self.totals[month]
        return None

    @property
    def in_house_overall(self) -> Decimal | None:
        """The in-house cost per resolved contact for the partner's channel mix: each
        channel's in-house figure weighted by the partner's resolved contacts there in the
        latest month (a plain mean when there is no such month)."""
        known = {ch: v for ch, v in self.in_house.items() if v is not None}
        if not known:
            return None
        month = next((m for m in reversed(self.months) if m in self.totals), None)
        weights = {
            ch: self.cells[(ch, month)].resolved
            for ch in known
            if month is not None and (ch, month) in self.cells
        }
        if sum(weights.values()) > 0:
            total = sum((known[ch] * n for ch, n in weights.items()), Decimal(0))
            mean = total / sum(weights.values())
        else:
            mean = sum(known.values(), Decimal(0)) / len(known)
        return mean.quantize(Decimal("0.01"))


def _resolved(
    viewer: Viewer, partner: Partner, months: list[date]
) -> dict[tuple[str, date], tuple[int, int]]:
    rows = (
        _month_totals(viewer, partner)
        .filter(period_start__in=months)
        .values_list("channel", "period_start", "fcr_yes", "contacts")
    )
    return {(ch, m): (resolved, contacts) for ch, m, resolved, contacts in rows}


def costs(viewer: Viewer, partner: Partner, today: date, months: int = 6) -> CostView:
    """Loaded monthly cost per channel: the settlement's headline charges, the contract's
    loaded-cost components on top, and the buyer's governance cost split by contacts;
    divided by resolved contacts (first-contact resolutions)."""
    firsts = _months_back(today, months)
    version = current_scope(viewer, partner)
    settlements = list(
        scope(Settlement, viewer)
        .filter(partner=partner, month__in=firsts)
        .select_related("contract")
        .order_by("month", "pk")
    )
    resolved = _resolved(viewer, partner, firsts)
    currency = settlements[0].currency if settlements else (version.currency if version else None)
    minor = minor_digits(currency) if currency else 2
    governance = version.governance_monthly if version else Decimal(0)
    headline: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    loaded: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for s in settlements:
        for channel, invoice in s.invoices.items():
            amount = Decimal(invoice["amount"])
            headline[(channel, s.month)] += amount
            loaded[(channel, s.month)] += domain.loaded_cost(amount, s.contract.loaded_pct, minor)
    cells: dict[tuple[str, date], domain.MonthCost] = {}
    totals: dict[date, domain.MonthCost] = {}
    channels: set[str] = set()
    for month in firsts:
        here = {ch for (ch, m) in headline if m == month}
        if not here:
            continue
        shares = domain.split_by(
            governance, {ch: resolved.get((ch, month), (0, 0))[1] for ch in here}, minor
        )
        for ch in here:
            cells[(ch, month)] = domain.MonthCost(
                headline[(ch, month)],
                loaded[(ch, month)],
                shares[ch],
                resolved.get((ch, month), (0, 0))[0],
            )
        channels |= here
        totals[month] = domain.MonthCost(
            sum((cells[(c, month)].headline for c in here), Decimal(0)),
            sum((cells[(c, month)].loaded for c in here), Decimal(0)),
            sum((cells[(c, month)].governance for c in here), Decimal(0)),
            sum(cells[(c, month)].resolved for c in here),
        )
    in_house = {b.channel: b.cost_per_resolved for b in version.baselines.all()} if version else {}
    return CostView(
        currency,
        minor,
        firsts,
        cells,
        totals,
        in_house,
        governance,
        sorted(channels, key=_channel_key),
    )


# What-if pricing
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfRow:
    model: PricingModel
    label: str
    rate_text: str
    amount: Decimal | None
    difference: Decimal | None
    current: bool


@dataclass(frozen=True)
class WhatIf:
    quarter: Period
    currency: str
    minor: int
    actual_cost: Decimal
    planned_cost: Decimal  # what the contract would have charged for the forecast
    actual: Volumes
    expected: Volumes
    expected_fcr_pct: Decimal
    rows: list[WhatIfRow]

    def money(self, amount: Decimal | None) -> str:
        return "—" if amount is None else format_money(amount, self.currency, self.minor)


MODEL_LABELS = {
    PricingModel.PER_HOUR: "Per agent hour",
    PricingModel.PER_FTE: "Per FTE",
    PricingModel.PER_CONTACT: "Per contact",
    PricingModel.PER_RESOLVED: "Per resolved contact",
    PricingModel.HYBRID: "Hybrid (per contact + per resolved)",
}


def _expected(
    forecast: dict[str, dict[str, int]],
    fcr_pct: Decimal,
    hours: Decimal | None,
    fte: Decimal | None,
) -> Volumes:
    """A channel's forecast volumes (contacts per type) resolved at `fcr_pct`, with the
    hours and FTE actually entered (a forecast of contacts says nothing about them)."""

    def resolved(n: int) -> int:
        return int((n * fcr_pct / 100).to_integral_value())

    by_type = {code: TypeVolume(n, resolved(n)) for code, n in forecast.items()}
    contacts = sum(forecast.values())
    return Volumes(hours=hours, fte=fte, contacts=contacts, resolved=resolved(contacts),
                   by_type=by_type)  # fmt: skip


def _sum(volumes: list[Volumes]) -> Volumes:
    def total(values: list[Decimal | None]) -> Decimal | None:
        known = [v for v in values if v is not None]
        return sum(known, Decimal(0)) if known else None

    return Volumes(
        hours=total([v.hours for v in volumes]),
        fte=total([v.fte for v in volumes]),
        contacts=sum(v.contacts for v in volumes),
        resolved=sum(v.resolved for v in volumes),
    )


def what_if(viewer: Viewer, partner: Partner, today: date) -> WhatIf | None:
    """Last complete quarter's volumes priced under each pricing model, channel by channel.

    Each channel's rate under a model is set so that it would have charged what the
    contract's rate card charges that channel for the scope's forecast at the in-house
    baseline's FCR (so the current model keeps its own rate); priced on the actual volumes,
    the difference from the invoice is what a move to that model would have changed. A
    channel the model cannot price (no hours entered for it, say) keeps its invoice."""
    quarter = Period.containing(PeriodType.QUARTER, today).previous()
    version = current_scope(viewer, partner)
    settlements = list(
        scope(Settlement, viewer)
        .filter(partner=partner, month__gte=quarter.start, month__lte=quarter.end)
        .select_related("contract")
        .prefetch_related(
            Prefetch(
                "contract__rates", queryset=RateLine.objects.select_related("interaction_type")
            )
        )
    )
    if version is None or not settlements:
        return None
    currency = settlements[0].currency
    minor = minor_digits(currency)
    invoiced: dict[str, Decimal] = defaultdict(Decimal)
    for s in settlements:
        for channel, inv in s.invoices.items():
            invoiced[channel] += Decimal(inv["amount"])
    cost = sum(invoiced.values(), Decimal(0))
    counted = {
        row["channel"]: row
        for row in _month_totals(viewer, partner)
        .filter(period_start__gte=quarter.start, period_start__lte=quarter.end)
        .values("channel")
        .annotate(contacts=Sum("contacts"), resolved=Sum("fcr_yes"))
        .order_by()
    }
    entered: dict[tuple[str, date], ChannelVolume] = {
        (v.channel, v.month): v
        for v in scope(ChannelVolume, viewer).filter(
            contract__partner=partner, month__gte=quarter.start, month__lte=quarter.end
        )
    }
    baselines = [b.fcr_pct for b in version.baselines.all() if b.fcr_pct is not None]
    fcr_pct = (
        (sum(baselines, Decimal(0)) / len(baselines)).quantize(Decimal("0.1"))
        if baselines
        else Decimal(75)
    )
    # What the rate card would have charged, month by month and channel by channel, had the
    # forecast come true.
    planned: dict[str, Decimal] = defaultdict(Decimal)
    expected_months: dict[str, list[Volumes]] = defaultdict(list)
    models: set[str] = set()
    for s in settlements:
        per = domain.month_forecast(
            mix_lines(version), version.monthly_volume, forecast_total(version, s.month)
        )
        lines: dict[str, list[RateLine]] = defaultdict(list)
        for line in s.contract.rates.all():
            lines[line.channel].append(line)
            models.add(line.pricing_model)
        for channel in set(lines) | set(s.invoices):
            if channel not in lines:  # a channel whose rate left the card: as invoiced
                planned[channel] += Decimal(s.invoices[channel]["amount"])
                continue
            forecast = {code: n for (ch, code), n in per.items() if ch == channel}
            if not forecast and channel not in s.invoices:
                continue  # priced, but neither forecast nor worked this month
            hours = entered.get((channel, s.month))
            expected = _expected(forecast, fcr_pct, hours and hours.hours, hours and hours.fte)
            expected_months[channel].append(expected)
            invoice = rate_card_invoice(
                [line.spec for line in lines[channel]], expected,
                channel_label=channel, currency=currency, minor_digits=minor,
            )  # fmt: skip
            charged = s.invoices.get(channel, {}).get("amount", "0")
            planned[channel] += Decimal(charged) if invoice.missing else invoice.amount
    channels = sorted(planned, key=_channel_key)
    expected_by = {c: _sum(expected_months[c]) for c in channels if expected_months[c]}

    def actual_of(channel: str) -> Volumes:
        hours = [v for (c, _m), v in entered.items() if c == channel]
        row = counted.get(channel, {})
        return Volumes(
            hours=sum((v.hours for v in hours if v.hours is not None), Decimal(0))
            if any(v.hours is not None for v in hours) else None,
            fte=sum((v.fte for v in hours if v.fte is not None), Decimal(0))
            if any(v.fte is not None for v in hours) else None,
            contacts=row.get("contacts") or 0,
            resolved=row.get("resolved") or 0,
        )  # fmt: skip

    actual_by = {c: actual_of(c) for c in channels}
    labels = dict(Channel.choices)
    rows = []
    for model in domain.WHAT_IF_MODELS:
        amount = Decimal(0)
        rates: list[str] = []
        kept: list[str] = []
        for channel in channels:
            pricing = (
                domain.equivalent_pricing(model, planned[channel], expected_by[channel])
                if channel in expected_by
                else None
            )
            priced = (
                domain.price(pricing, actual_by[channel], currency=currency, minor_digits=minor)
                if pricing
                else None
            )
            label = labels.get(channel, channel).lower()
            if pricing is None or priced is None:
                amount += invoiced[channel]
                kept.append(label)
                continue
            amount += priced
            if model is PricingModel.HYBRID:
                rates.append(
                    f"{label} {format_money(pricing.rate, currency, 4)}/contact + "
                    f"{format_money(pricing.resolution_bonus, currency, 4)}/resolved"
                )
            else:
                rates.append(f"{label} {format_money(pricing.rate, currency, 4)}")
        if not rates:
            rows.append(
                WhatIfRow(model, MODEL_LABELS[model], "no volume to price on", None, None,
                          model.value in models)
            )  # fmt: skip
            continue
        rate_text = "; ".join(rates)
        if kept:
            rate_text += f" ({', '.join(kept)} at the contract's rates: nothing to price on)"
        rows.append(
            WhatIfRow(
                model, MODEL_LABELS[model], rate_text, amount, amount - cost,
                model.value in models,
            )
        )  # fmt: skip
    return WhatIf(
        quarter,
        currency,
        minor,
        cost,
        sum(planned.values(), Decimal(0)),
        _sum(list(actual_by.values())),
        _sum(list(expected_by.values())),
        fcr_pct,
        rows,
    )


# PARTNER PAGE
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerEngagement:
    scope: ScopeVersion | None
    discipline: domain.Discipline | None
    discipline_start: date | None
    discipline_end: date | None
    cost: CostView
    stage: EngagementStage | None


def partner_engagement(viewer: Viewer, partner: Partner, today: date) -> PartnerEngagement:
    version = current_scope(viewer, partner)
    found = recent_discipline(viewer, partner, version, today) if version else None
    return PartnerEngagement(
        version,
        found[0] if found else None,
        found[1] if found else None,
        found[2] if found else None,
        costs(viewer, partner, today, months=3),
        scope(EngagementStage, viewer)
        .filter(partner=partner)
        .order_by("-started_on", "-pk")
        .first(),
    )


# SELECTION
# ------------------------------------------------------------------------------


def selections_list(viewer: Viewer) -> QuerySet[Selection]:
    """Selections with their candidate count and, in `chosen_candidates`, the chosen one."""
    return (
        scope(Selection, viewer)
        .annotate(candidate_count=Count("candidates", distinct=True))
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=Candidate.objects.filter(partner__isnull=False).select_related("partner"),
                to_attr="chosen_candidates",
            )
        )
        .order_by("-created_at", "-pk")
    )


def selection_for(viewer: Viewer, pk: int) -> Selection:
    return get_scoped_or_404(Selection.objects.prefetch_related("criteria"), viewer, pk=pk)


def candidate_for(viewer: Viewer, pk: int | str) -> Candidate:
    """One candidate with its selection, partner and quote lines, or a 404."""
    return get_scoped_or_404(
        Candidate.objects.select_related("selection", "partner").prefetch_related(
            Prefetch("rates", queryset=CandidateRate.objects.select_related("interaction_type"))
        ),
        viewer,
        pk=pk,
    )


@dataclass(frozen=True)
class QuoteLine:
    """One line of a candidate's quote with its loaded rate, ranked against the other
    candidates' lines on the same channel, interaction type and pricing model."""

    line: CandidateRate
    loaded_rate: Decimal
    loaded_bonus: Decimal  # hybrid: the bonus per resolved contact, loaded
    rank: domain.LineRank


@dataclass(frozen=True)
class CandidateColumn:
    candidate: Candidate
    result: domain.CandidateResult
    evaluator_names: dict[str, str]
    red_flags: list[CandidateRedFlag]
    quote: domain.Quote
    lines: list[QuoteLine]
    projection: domain.Projection | None  # None: no scope to project on


@dataclass(frozen=True)
class Comparison:
    selection: Selection
    criteria: list[domain.Criterion]
    columns: list[CandidateColumn]
    scope: ScopeVersion | None
    evaluators: int
    forecast: dict[str, Volumes] = field(default_factory=dict)  # the scope's month per channel

    def money(self, amount: Decimal | None, places: int | None = None) -> str:
        if amount is None:
            return "—"
        digits = minor_digits(self.selection.currency) if places is None else places
        return format_money(amount, self.selection.currency, digits)


CHANNEL_NAMES = {c: label.lower() for c, label in Channel.choices}


def scope_forecast(version: ScopeVersion, assumptions: domain.Assumptions) -> dict[str, Volumes]:
    """The scope's typical month per channel (in the channels' usual order), as the volumes
    a rate card prices: its mix per channel and interaction type, hours, FTE and resolved
    contacts from the selection's assumptions (`domain.forecast_volumes`)."""
    per = domain.month_forecast(mix_lines(version), version.monthly_volume, version.monthly_volume)
    ordered = dict(sorted(per.items(), key=lambda kv: (_channel_key(kv[0][0]), kv[0][1])))
    return domain.forecast_volumes(ordered, assumptions)


def comparison(viewer: Viewer, selection: Selection) -> Comparison:
    """Candidates side by side: the median of the evaluators' weighted scores with its
    spread, the median per criterion, red flags, each quote's lines with their headline and
    loaded rates ranked against the other quotes on the same channel and model, and each
    quote priced on the scope's month channel by channel (a channel it has no line for is
    not quoted). Queries: a fixed number, whatever the candidates and their lines."""
    criteria = [c.as_domain for c in selection.criteria.all()]
    candidates = list(
        scope(Candidate, viewer)
        .filter(selection=selection)
        .select_related("partner")
        .prefetch_related(
            Prefetch(
                "red_flags",
                queryset=CandidateRedFlag.objects.select_related("raised_by").order_by("pk"),
            ),
            Prefetch(
                "scores",
                queryset=CandidateScore.objects.select_related("criterion", "evaluator"),
            ),
            Prefetch("rates", queryset=CandidateRate.objects.select_related("interaction_type")),
        )
        .order_by("name")
    )
    version = selection_scope(viewer, selection)
    chosen_scope = (
        version
        if version is not None
        else next(
            (current_scope(viewer, c.partner) for c in candidates if c.partner is not None),
            None,
        )
    )
    forecast = (
        scope_forecast(chosen_scope, selection.assumptions)
        if chosen_scope is not None and chosen_scope.monthly_volume > 0
        else {}
    )
    minor = minor_digits(selection.currency)
    quotes = {c.name: c.quote for c in candidates}
    ranks = domain.rank_lines(quotes)
    columns = []
    evaluators: set[int] = set()
    for c in candidates:
        sheets: dict[str, dict[str, int]] = defaultdict(dict)
        names: dict[str, str] = {}
        for s in c.scores.all():
            sheets[str(s.evaluator_id)][s.criterion.key] = s.score
            names[str(s.evaluator_id)] = s.evaluator.display_name
            evaluators.add(s.evaluator_id)
        result = domain.candidate_result(
            criteria, [domain.Sheet(k, v) for k, v in sorted(sheets.items())]
        )
        quote = quotes[c.name]
        projection = (
            domain.project_quote(
                quote, forecast, channel_labels=CHANNEL_NAMES, currency=selection.currency,
                minor_digits=minor,
            )
            if forecast
            else None
        )  # fmt: skip
        lines = [
            QuoteLine(
                line,
                quote.loaded(line.rate),
                quote.loaded(line.resolution_bonus),
                rank,
            )
            for line, rank in zip(c.rates.all(), ranks[c.name], strict=True)
        ]
        columns.append(
            CandidateColumn(c, result, names, list(c.red_flags.all()), quote, lines, projection)
        )
    return Comparison(selection, criteria, columns, chosen_scope, len(evaluators), forecast)


def own_scores(viewer: Viewer, candidate: Candidate) -> dict[str, CandidateScore]:
    if viewer.user is None:
        return {}
    return {
        s.criterion.key: s
        for s in scope(CandidateScore, viewer)
        .filter(candidate=candidate, evaluator=viewer.user)
        .select_related("criterion")
    }
