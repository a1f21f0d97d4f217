"""Recomputing KPI snapshots: set-based SQL aggregations of interactions, aggregate reports
and the roster into raw counts per partner, channel, agent and period.

One recomputation covers one partner and one period type over a range of days. Per period
type it runs one grouped query over interactions and one over aggregate reports (each
grouped by channel, agent and period, with channel totals from the same rows), and one for
the roster's headcounts and leavers. Results are compared with the stored snapshots and only
differences are written, so running it twice changes nothing.

Periods are the account's: interactions and QA evaluations are cut into days, weeks, months
and quarters at midnight in the account's time zone (`Account.time_zone`, docs/sla.md), so a
contact at 23:30 on 31 October in Manila counts in October. Aggregate reports and the roster
carry dates already and are counted as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, timedelta, tzinfo
from typing import Any

from django.db import transaction
from django.db.models import Count, F, IntegerField, Max, Min, Q, Sum, Value
from django.db.models.functions import (
    Coalesce,
    Trunc,
)

from core import clock
from kpis import sources
from kpis.domain import COUNT_FIELDS
from kpis.models import CONTACT_COUNT_FIELDS, AggregateReport, Interaction, KpiSnapshot
from kpis.periods import Period, PeriodType, periods_between
from kpis.sources import Key, truncated_day
from partners.models import Account, Agent, Partner

ROSTER_TYPES = (PeriodType.WEEK, PeriodType.MONTH, PeriodType.QUARTER)
LEVELS = list(PeriodType)


def _interaction_counts() -> dict[str, Any]:
    """SQL aggregates turning interaction rows into `kpis.domain.Counts` fields."""

    def known(field: str) -> Q:
        return Q(**{f"{field}__isnull": False})

    def count(condition: Q) -> Count:
        return Count("pk", filter=condition)

    def total(field: str) -> Coalesce:
        return Coalesce(Sum(field), Value(0), output_field=IntegerField())

    return {
        "contacts": Count("pk"),
        "fcr_n": count(known("resolved_first_contact")),
        "fcr_yes": count(Q(resolved_first_contact=True)),
        "reopen_n": count(known("reopened")),
        "reopen_yes": count(Q(reopened=True)),
        "escalation_n": count(known("escalated")),
        "escalation_yes": count(Q(escalated=True)),
        "escalation_l1_n": count(Q(escalated=True) & known("escalation_resolved_l1")),
        "escalation_l1_yes": count(Q(escalated=True, escalation_resolved_l1=True)),
        "sla_n": count(known("sla_met")),
        "sla_yes": count(Q(sla_met=True)),
        "csat_n": count(known("csat")),
        "csat_positive": count(Q(csat__gte=4)),
        "nps_n": count(known("nps")),
        "nps_promoters": count(Q(nps__gte=9)),
        "nps_detractors": count(Q(nps__lte=6)),
        "ces_n": count(known("ces")),
        "ces_sum": total("ces"),
        "handle_n": count(known("handle_seconds")),
        "handle_seconds": total("handle_seconds"),
        "frt_n": count(known("first_response_seconds")),
        "frt_seconds": total("first_response_seconds"),
    }


def _report_sums() -> dict[str, Any]:
    return {
        name: Coalesce(Sum(name), Value(0), output_field=IntegerField())
        for name in CONTACT_COUNT_FIELDS
    }


def partner_zone(partner_id: int) -> tzinfo:
    """The time zone of the partner's account, whose midnights cut its periods."""
    name = Account.objects.filter(partners=partner_id).values_list("time_zone", flat=True).get()
    return clock.zone(name)


@dataclass(frozen=True)
class RecomputeResult:
    created: int
    updated: int
    deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def computed_counts(
    *, partner_id: int, period_type: PeriodType, first: date, last: date
) -> dict[Key, dict[str, int]]:
    """Counts per (channel, agent or None, period start) for periods overlapping first..last."""
    periods = periods_between(period_type, first, last)
    start, end = periods[0].start, periods[-1].next().start
    zone = partner_zone(partner_id)
    result: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))

    def add(rows: Any, agent_field: str | None) -> None:
        for row in rows:
            period_start = truncated_day(row["bucket"], zone)
            key = (row["channel"], row[agent_field] if agent_field else None, period_start)
            target = result[key]
            for name in CONTACT_COUNT_FIELDS:
                target[name] += row[name]

    # Interactions, truncated to the period in the account's time zone. The period a row falls
    # in is annotated as `bucket`: reports and snapshots already have a `period` property.
    interactions = Interaction.objects.filter(
        partner_id=partner_id,
        opened_at__gte=clock.start_of(start, zone),
        opened_at__lt=clock.start_of(end, zone),
    ).annotate(bucket=Trunc("opened_at", period_type.value, tzinfo=zone))
    counts = _interaction_counts()
    add(
        interactions.values("channel", "agent_id", "bucket").annotate(**counts).order_by(),
        "agent_id",
    )
    add(interactions.values("channel", "bucket").annotate(**counts).order_by(), None)

    # Aggregate reports of this period type or shorter, counted in the period they start in.
    shorter = [t.value for t in LEVELS if t.max_days <= period_type.max_days]
    reports = AggregateReport.objects.filter(
        partner_id=partner_id,
        period_type__in=shorter,
        period_start__gte=start,
        period_start__lt=end,
    ).annotate(bucket=Trunc("period_start", period_type.value))
    sums = _report_sums()
    add(
        reports.filter(agent__isnull=False)
        .values("channel", "agent_id", "bucket")
        .annotate(**sums)
        .order_by(),
        "agent_id",
    )
    add(reports.values("channel", "bucket").annotate(**sums).order_by(), None)

    for source in sources.registered():  # the QA score's counts, from calibration
        source.add_counts(
            result, partner_id=partner_id, period_type=period_type, start=start, end=end,
            zone=zone,
        )  # fmt: skip
    if period_type in ROSTER_TYPES:
        _add_roster(result, partner_id, periods)
    return dict(result)


def _add_roster(result: dict[Key, dict[str, int]], partner_id: int, periods: list[Period]) -> None:
    """Headcount at the start and end of each period, and leavers in it, per team channel:
    one query with three conditional counts per period."""

    def employed(day: date) -> Q:
        return Q(hire_date__lte=day) & (Q(leaving_date__isnull=True) | Q(leaving_date__gt=day))

    aggregates: dict[str, Any] = {}
    for i, period in enumerate(periods):
        aggregates[f"s{i}"] = Count("pk", filter=employed(period.start))
        aggregates[f"e{i}"] = Count("pk", filter=employed(period.end))
        aggregates[f"l{i}"] = Count(
            "pk", filter=Q(leaving_date__gte=period.start, leaving_date__lte=period.end)
        )
    # Mappings, not the stubs' TypedDict: the count keys are built from the period's index.
    rows: Iterable[Mapping[str, Any]] = (
        Agent.objects.filter(partner_id=partner_id, team__isnull=False)
        .values(channel=F("team__channel"))
        .annotate(**aggregates)
        .order_by()
    )
    for row in rows:
        for i, period in enumerate(periods):
            start, end, leavers = row[f"s{i}"], row[f"e{i}"], row[f"l{i}"]
            if not (start or end or leavers):
                continue
            target = result.setdefault(
                (row["channel"], None, period.start), dict.fromkeys(COUNT_FIELDS, 0)
            )
            target.update(headcount_start=start, headcount_end=end, leavers=leavers)


def snapshots_recompute(
    *, partner_id: int, period_type: PeriodType, first: date, last: date
) -> RecomputeResult:
    """Bring the stored snapshots of one partner, period type and range in line with the
    data, in one transaction; periods with no data lose their snapshots."""
    periods = periods_between(period_type, first, last)
    with transaction.atomic():
        # One recomputation per partner at a time: a concurrent one waits here.
        Partner.objects.select_for_update().filter(pk=partner_id).exists()
        wanted = computed_counts(
            partner_id=partner_id, period_type=period_type, first=first, last=last
        )
        stored = {
            (s.channel, s.agent_id, s.period_start): s
            for s in KpiSnapshot.objects.filter(
                partner_id=partner_id,
                period_type=period_type.value,
                period_start__gte=periods[0].start,
                period_start__lte=periods[-1].start,
            )
        }
        create, update = [], []
        now = clock.now()
        for key, counts in wanted.items():
            snapshot = stored.pop(key, None)
            if snapshot is None:
                channel, agent_id, start = key
                create.append(
                    KpiSnapshot(
                        partner_id=partner_id,
                        channel=channel,
                        agent_id=agent_id,
                        period_type=period_type.value,
                        period_start=start,
                        **counts,
                    )
                )
            elif any(getattr(snapshot, f) != v for f, v in counts.items()):
                for name, value in counts.items():
                    setattr(snapshot, name, value)
                snapshot.computed_at = now
                update.append(snapshot)
        KpiSnapshot.objects.bulk_create(create, batch_size=1000)
        KpiSnapshot.objects.bulk_update(update, [*COUNT_FIELDS, "computed_at"], batch_size=1000)
        deleted = len(stored)
        if stored:
            KpiSnapshot.objects.filter(pk__in=[s.pk for s in stored.values()]).delete()
    return RecomputeResult(len(create), len(update), deleted)


def partner_recompute(
    *, partner_id: int, first: date, last: date
) -> dict[PeriodType, RecomputeResult]:
    """Every period type for the days first..last."""
    return {
        period_type: snapshots_recompute(
            partner_id=partner_id, period_type=period_type, first=first, last=last
        )
        for period_type in PeriodType
    }


def open_periods(today: date) -> list[tuple[PeriodType, date, date]]:
    """What the nightly run refreshes: for each period type, the current and previous period
    (data for them still arrives: late surveys, re-opens, partner corrections)."""
    result = []
    for period_type in PeriodType:
        current = Period.containing(period_type, today)
        result.append((period_type, current.previous().start, today))
    return result


def recorded_days(partner_id: int) -> tuple[date, date] | None:
    """The first and last day a re-cut of the partner's periods must cover, whatever the
    zone: every day with an interaction, a QA evaluation, an aggregate report or a stored
    snapshot (which may hold a period the new cut leaves empty). None when there is none."""
    moments = [
        Interaction.objects.filter(partner_id=partner_id).aggregate(
            first=Min("opened_at"), last=Max("opened_at")
        ),
    ]
    for source in sources.registered():
        first, last = source.recorded_moments(partner_id)
        moments.append({"first": first, "last": last})
    # Reports and snapshots: the first and last period start of each period type.
    periods = [
        row
        for model in (AggregateReport, KpiSnapshot)
        for row in model.objects.filter(partner_id=partner_id)
        .values("period_type")
        .annotate(first=Min("period_start"), last=Max("period_start"))
        .order_by()
    ]
    # A moment's date differs by at most a day between zones (UTC-12 to UTC+14).
    firsts = [m["first"].astimezone(UTC).date() - timedelta(days=1) for m in moments if m["first"]]
    lasts = [m["last"].astimezone(UTC).date() + timedelta(days=1) for m in moments if m["last"]]
    firsts += [row["first"] for row in periods]
    lasts += [Period(PeriodType(row["period_type"]), row["last"]).end for row in periods]
    if not firsts:
        return None
    return min(firsts), max(lasts)
