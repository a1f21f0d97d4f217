"""Reading the scope of work: a partner's (or a selection's) versions, forecast against
actual volume, scope discipline, and the in-house baseline a partner must match."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth

from core import clock
from core.formatting import as_percent
from core.scoping import Viewer, get_scoped_or_404, scope
from engagements import domain
from engagements.models import BaselineSource, ScopeLine, ScopeVersion, Selection
from engagements.selectors.common import channel_key, month_totals, months_back
from engagements.services import BaselineInput
from kpis.domain import Counts, Kpi, kpi_values
from kpis.models import CONTACT_COUNT_FIELDS, Interaction, KpiSnapshot
from kpis.periods import Period, PeriodType
from partners.models import Partner


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


def current_scopes(viewer: Viewer, partner_ids: list[int]) -> dict[int, ScopeVersion]:
    """Each partner's current scope with its parts, in one query and its prefetches."""
    latest = (
        ScopeVersion.objects.filter(partner=OuterRef("partner"))
        .order_by("-version")
        .values("version")[:1]
    )
    versions = scope(ScopeVersion, viewer).filter(partner__in=partner_ids, version=Subquery(latest))
    return {v.partner_id: v for v in _with_parts(versions) if v.partner_id is not None}


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
    firsts = [m for m in months_back(today, months) if m >= version.first_month]
    lines = mix_lines(version)
    actual: dict[date, dict[str, int]] = defaultdict(dict)
    rows = (
        month_totals(viewer, partner)
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
    ordered = sorted(rows.values(), key=lambda r: (channel_key(r.channel), -r.forecast))
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
    firsts = months_back(today, months)
    rows = (
        month_totals(viewer, in_house)
        .filter(period_start__in=firsts)
        .values("channel")
        .annotate(**{f: Sum(f) for f in CONTACT_COUNT_FIELDS})
        .order_by()
    )
    days = sum(Period(PeriodType.MONTH, m).days for m in firsts)
    result = []
    for row in sorted(rows, key=lambda r: channel_key(r["channel"])):
        sums: Mapping[str, Any] = row  # the counts' names are not in the row's static type
        counts = Counts(**{f: sums[f] or 0 for f in CONTACT_COUNT_FIELDS})
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
