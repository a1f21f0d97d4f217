"""KPI data for the demo programme: twelve months of contacts for each Northwind partner
(since go-live when that is shorter), with Meridian Contact drifting downward after its
sixth month.

To keep `make run` ready in well under a minute, the last eight weeks are per-contact rows
(interactions, to drill into), and the weeks before are weekly per-agent aggregate reports
(counts), as a partner sending weekly numbers would. Deterministic from the seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from django.db import transaction
from django.db.models import Min

from demo.accounts import INTERACTION_MIX, insert_rows, moment
from kpis.models import (
    AggregateReport,
    ImportBatch,
    ImportKind,
    ImportSource,
    ImportStatus,
    Interaction,
)
from kpis.periods import Period, PeriodType
from kpis.snapshots import partner_recompute
from partners.models import Account, Agent, InteractionType, Partner

DETAIL_WEEKS = 8
HISTORY_DAYS = 365


@dataclass(frozen=True)
class Quality:
    """Probabilities (and mean times in seconds) for one partner and channel."""

    csat: float  # share of positive survey answers
    fcr: float
    escalation: float
    sla: float
    handle: float
    first_response: float


# Channel shapes: handle time and first response differ by nature, not by quality.
CHANNEL_TIMES = {
    "voice": (390.0, 45.0),
    "chat": (540.0, 60.0),
    "email": (420.0, 6 * 3600.0),
    "social": (300.0, 40 * 60.0),
}
BASE = {
    # partner name: (csat, fcr, escalation, sla), before channel and drift adjustments
    "Harborline Support": (0.90, 0.79, 0.08, 0.965),
    "Meridian Contact": (0.88, 0.77, 0.09, 0.96),
    "Lotus CX Services": (0.86, 0.74, 0.11, 0.95),
}
CHANNEL_OFFSET = {"voice": 0.0, "email": -0.02, "chat": 0.01, "social": -0.03}
DRIFTING = "Meridian Contact"
# The drifting partner worsens from its sixth month of data on, fully over the next six.
DRIFT_AFTER_DAYS = 182
VOLUME_PER_AGENT_WEEK = {"voice": 14, "chat": 16, "email": 12, "social": 10}
SURVEY_RATE = {"csat": 0.22, "nps": 0.12, "ces": 0.08}
HARD_SHARE = sum(v for _, v, hard in INTERACTION_MIX.values() if hard) / sum(
    v for _, v, _ in INTERACTION_MIX.values()
)
HANDLE_MEAN_FACTOR = math.exp(0.35**2 / 2) * (1 + 0.3 * HARD_SHARE)


def _clamp(p: float) -> float:
    return min(max(p, 0.01), 0.995)


def quality(partner: Partner, channel: str, week_start: date, today: date) -> Quality:
    """The partner's quality that week; the drifting partner worsens after month six."""
    csat, fcr, escalation, sla = BASE.get(partner.name, (0.86, 0.74, 0.1, 0.95))
    offset = CHANNEL_OFFSET[channel]
    drift = 0.0
    if partner.name == DRIFTING:
        first = max(partner.go_live_date or today, today - timedelta(days=HISTORY_DAYS))
        turn = first + timedelta(days=DRIFT_AFTER_DAYS)
        if week_start > turn:
            drift = min((week_start - turn).days / DRIFT_AFTER_DAYS, 1.0)
    handle, first_response = CHANNEL_TIMES[channel]
    return Quality(
        csat=_clamp(csat + offset - 0.13 * drift),
        fcr=_clamp(fcr + offset - 0.11 * drift),
        escalation=_clamp(escalation + 0.07 * drift),
        sla=_clamp(sla - 0.08 * drift),
        handle=handle * (1 + 0.18 * drift),
        first_response=first_response * (1 + 0.5 * drift),
    )


def agent_skill(rng: random.Random) -> float:
    return rng.gauss(0, 0.035)


def ramp(agent: Agent, day: date) -> float:
    """New agents start below par and reach it after about ten weeks (docs/domain.md,
    "Engagement stages": ramp realism)."""
    weeks = (day - agent.hire_date).days / 7
    return -0.08 * max(0.0, 1 - weeks / 10)


def binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is fine for the small means of one agent's week.
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


@dataclass
class Generated:
    interactions: list[Interaction]
    reports: list[AggregateReport]


def _week_agents(agents: list[Agent], week: Period) -> list[Agent]:
    return [
        a
        for a in agents
        if a.hire_date <= week.end and (a.leaving_date is None or a.leaving_date >= week.start)
    ]


def generate(
    partner: Partner, agents: list[Agent], types: list[InteractionType], today: date, seed: int
) -> Generated:
    rng = random.Random(f"{seed}-{partner.name}")
    first_day = max(partner.go_live_date or today, today - timedelta(days=HISTORY_DAYS))
    weeks = _weeks(first_day, today)
    detail_from = Period.containing(PeriodType.WEEK, today).start - timedelta(
        weeks=DETAIL_WEEKS - 1
    )
    # The types' cumulative weights, computed once (`choices` draws the same as with weights).
    weights = list(accumulate(INTERACTION_MIX[t.code][1] for t in types))
    now = moment(today)  # no contact after the demo's "now"
    result = Generated([], [])
    serial = 0
    # Each agent's own skill, from a generator of its own (so that it does not depend on
    # which other agents work): drawn once.
    skills = {a.pk: agent_skill(random.Random(f"{seed}-{a.external_id}")) for a in agents}
    for week in weeks:
        for agent in _week_agents(agents, week):
            channel = agent.team.channel  # type: ignore[union-attr]
            q = quality(partner, channel, week.start, today)
            skill = skills[agent.pk] + ramp(agent, week.start)
            active_days = [
                week.start + timedelta(days=i)
                for i in range(7)
                if agent.hire_date <= week.start + timedelta(days=i) <= today
                and (
                    agent.leaving_date is None
                    or week.start + timedelta(days=i) < agent.leaving_date
                )
            ]
            if not active_days:
                continue
            n = _poisson(rng, VOLUME_PER_AGENT_WEEK[channel] * len(active_days) / 7)
            if n == 0:
                continue
            if week.start >= detail_from:
                for _ in range(n):
                    serial += 1
                    contact = _contact(
                        rng, partner, agent, channel, types, weights, q, skill, active_days, serial
                    )
                    if contact.opened_at <= now:
                        result.interactions.append(contact)
            else:
                result.reports.append(_report(rng, partner, agent, channel, week, n, q, skill))
    return result


def _weeks(first: date, last: date) -> list[Period]:
    week = Period.containing(PeriodType.WEEK, first)
    weeks = []
    while week.start <= last:
        weeks.append(week)
        week = week.next()
    return weeks


def _contact(
    rng: random.Random,
    partner: Partner,
    agent: Agent,
    channel: str,
    types: list[InteractionType],
    cum_weights: list[int],
    q: Quality,
    skill: float,
    days: list[date],
    serial: int,
) -> Interaction:
    kind = rng.choices(types, cum_weights=cum_weights)[0]
    hard = kind.is_brand_sensitive
    opened = datetime.combine(rng.choice(days), time(8), tzinfo=UTC) + timedelta(
        seconds=rng.randrange(12 * 3600)
    )
    fcr = rng.random() < _clamp(q.fcr + skill - (0.12 if hard else 0))
    escalated = rng.random() < _clamp(q.escalation - skill / 2 + (0.15 if hard else 0))
    csat = None
    if rng.random() < SURVEY_RATE["csat"]:
        positive = rng.random() < _clamp(q.csat + skill - (0.1 if hard else 0))
        csat = rng.choice([4, 5, 5]) if positive else rng.choice([1, 2, 3, 3])
    nps = None
    if rng.random() < SURVEY_RATE["nps"]:
        nps = min(10, max(0, round(rng.gauss(7.6 + 12 * (q.csat - 0.85) + 10 * skill, 2.2))))
    ces = None
    if rng.random() < SURVEY_RATE["ces"]:
        ces = min(7, max(1, round(rng.gauss(2.6 - 8 * (q.fcr - 0.75) - 8 * skill, 1.1))))
    return Interaction(
        partner=partner,
        agent=agent,
        channel=channel,
        interaction_type=kind,
        external_id=f"{partner.name[:3].upper()}-{serial:07d}",
        opened_at=opened,
        first_response_seconds=max(5, round(rng.expovariate(1 / q.first_response))),
        handle_seconds=max(
            30, round(rng.lognormvariate(math.log(q.handle * (1.3 if hard else 1)), 0.35))
        ),
        resolved_first_contact=fcr,
        reopened=(not fcr) and rng.random() < 0.3,
        escalated=escalated,
        escalation_resolved_l1=(rng.random() < 0.62) if escalated else None,
        csat=csat,
        nps=nps,
        ces=ces,
        sla_met=rng.random() < _clamp(q.sla + skill / 2),
    )


def _report(
    rng: random.Random,
    partner: Partner,
    agent: Agent,
    channel: str,
    week: Period,
    n: int,
    q: Quality,
    skill: float,
) -> AggregateReport:
    fcr = binomial(rng, n, _clamp(q.fcr + skill - 0.03))
    escalated = binomial(rng, n, _clamp(q.escalation - skill / 2 + 0.03))
    csat_n = binomial(rng, n, SURVEY_RATE["csat"])
    nps_n = binomial(rng, n, SURVEY_RATE["nps"])
    promoters = binomial(rng, nps_n, _clamp(0.45 + 2 * (q.csat - 0.85) + 2 * skill))
    detractors = binomial(rng, nps_n - promoters, 0.35)
    ces_n = binomial(rng, n, SURVEY_RATE["ces"])
    return AggregateReport(
        partner=partner,
        channel=channel,
        agent=agent,
        period_type=PeriodType.WEEK.value,
        period_start=week.start,
        contacts=n,
        fcr_n=n,
        fcr_yes=fcr,
        reopen_n=n,
        reopen_yes=binomial(rng, n - fcr, 0.3),
        escalation_n=n,
        escalation_yes=escalated,
        escalation_l1_n=escalated,
        escalation_l1_yes=binomial(rng, escalated, 0.62),
        sla_n=n,
        sla_yes=binomial(rng, n, _clamp(q.sla + skill / 2)),
        csat_n=csat_n,
        csat_positive=binomial(rng, csat_n, _clamp(q.csat + skill - 0.03)),
        nps_n=nps_n,
        nps_promoters=promoters,
        nps_detractors=detractors,
        ces_n=ces_n,
        ces_sum=sum(
            min(7, max(1, round(rng.gauss(2.6 - 8 * (q.fcr - 0.75) - 8 * skill, 1.1))))
            for _ in range(ces_n)
        ),
        handle_n=n,
        # The per-contact draws' mean: lognormal (sigma 0.35) and longer brand-sensitive work.
        handle_seconds=round(q.handle * HANDLE_MEAN_FACTOR * n * rng.uniform(0.94, 1.06)),
        frt_n=n,
        frt_seconds=round(q.first_response * n * rng.uniform(0.85, 1.15)),
    )


def build(*, account: Account, seed: int, today: date) -> dict[str, int]:
    """Generate, store and roll up the demo programme's KPI data. Returns row counts."""
    types = list(InteractionType.objects.filter(account=account).order_by("code"))
    counts = {"interactions": 0, "aggregate_reports": 0}
    partners = list(Partner.objects.filter(account=account).order_by("name"))
    with transaction.atomic():
        for partner in partners:
            agents = list(
                Agent.objects.filter(partner=partner, team__isnull=False)
                .select_related("team")
                .order_by("external_id")
            )
            data = generate(partner, agents, types, today, seed)
            for kind, rows, model in (
                (ImportKind.AGGREGATES, data.reports, AggregateReport),
                (ImportKind.INTERACTIONS, data.interactions, Interaction),
            ):
                if not rows:
                    continue
                batch = ImportBatch.objects.create(
                    account=account,
                    partner=partner,
                    kind=kind,
                    source=ImportSource.COMMAND,
                    status=ImportStatus.SUCCEEDED,
                    file_name=f"demo-{kind}.csv",
                    mapping_name="Keel columns",
                    created_by_label="seed_demo",
                    started_at=moment(today),
                    finished_at=moment(today),
                    rows_expected=len(rows),
                    rows_total=len(rows),
                    rows_created=len(rows),
                    first_day=min(_first(r) for r in rows),
                    last_day=max(_first(r) for r in rows),
                )
                for row in rows:
                    row.batch = batch
                insert_rows(model, rows)
                counts["interactions" if model is Interaction else "aggregate_reports"] += len(rows)
        for partner in partners:
            # From the first hire, so that attrition covers the whole roster's history.
            first_hire = partner.agents.aggregate(first=Min("hire_date"))["first"] or today
            partner_recompute(partner_id=partner.pk, first=first_hire, last=today)
    return counts


def _first(row: Interaction | AggregateReport) -> date:
    if isinstance(row, Interaction):
        return row.opened_at.date()
    return row.period_start
