"""The engagement story of the demo programme, built through `engagements.services` as the
demo's program manager (and, for the scores, the buyer's QA reviewer and executive).

Northwind Retail:
- "Support partner <year>", a finished selection of three candidates eight weeks before
  Harborline's go-live (named for the year it ran: 2025 for a demo seeded in late 2026), each
  quoting a rate card for the scope's voice, email and chat: the cheapest headline (Cebu
  Prime BPO, per FTE on every channel, heavy loaded components and red flags: its voice
  rate is below Atlas's, yet dearer once loaded), a middle one (Atlas Nearshore: voice per
  FTE, email and chat per contact) and Harborline Support (voice per agent hour, email and
  chat per contact, the rates its contract kept), chosen on its scores although its
  headline is the highest. The executive is the enthusiast who gives Cebu Prime all 5s;
  the median of the three evaluators keeps it last.
- A scope of work per partner: its real channels and volume (the last three complete
  months of KPI data) spread like the typical mix (docs/domain.md, "Scope"), the in-house
  baseline per channel, 1.5 FTE of governance, escalation criteria and compliance items
  with evidence links. Harborline's scope is at version 2 (weekend cover and the retail
  peak added after the first peak season: a forecast peak to trough above 1.7).
  Meridian's scope keeps billing and escalations in-house, yet Meridian handles them: its
  scope discipline sits near 90 %, below the healthy 95 %.
- Stages per partner: selection, a pilot of 12 weeks on one channel, one interaction type
  and one shift, then a second interaction type and a second channel. Each expansion's
  gate is worked out as it stood on the day, from the band statuses and calibration of the
  months before (see `_gate_as_it_stood`). Harborline's gates were green; the pilots of
  Meridian and Lotus ended with months below base (new hires, the holiday peak), and their
  second interaction type was approved despite the red gate, with the reason recorded.
  Meridian's second channel, taken for the peak season while it drifts, is approved despite
  a red gate too. Lotus's second interaction type is planned on a six-week ramp, which Keel
  flags as unrealistic.

Other accounts get a scope and the stages their single-channel partners can take.
No random element: the story follows from the reference day and the data seeded before it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Min, Sum
from django.utils import timezone
from django.utils.text import slugify

from core import clock
from core.scoping import Viewer
from demo.accounts import DEMO_ACCOUNT
from engagements import domain, selectors, services
from engagements.models import (
    Candidate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    Framework,
    ItemKind,
    ScopeVersion,
    Selection,
    SelectionStatus,
    StageKind,
)
from engagements.services import BaselineInput, ItemInput, LineInput, ScopeInput, StageInput
from kpis.models import KpiSnapshot
from kpis.periods import Period, PeriodType
from partners.models import (
    Account,
    AuditEvent,
    Channel,
    DeliveryModel,
    InteractionType,
    Membership,
    Partner,
    Role,
    Team,
)
from partners.scoping import viewer_for_membership

D = Decimal
Shift = domain.Shift
ROUTINE_TYPES = {t.code for t in domain.STANDARD_MIX if t.routine}
PILOT_TYPE = "order-status"
SECOND_TYPE = "product-question"
GATE_MONTHS = 2
ALIGNMENT_THRESHOLD_PCT = D(85)
GOVERNANCE_FTE = D("1.5")
GOVERNANCE_FTE_COST = D("9500.00")
# The alignment the pilot's weekly calibrations reached, for gates older than the KPI
# history (the demo keeps twelve months of KPI data; Harborline went live fourteen back).
PILOT_ALIGNMENT = D("0.9100")

# What Northwind's own team achieves per channel (entered, not computed): the partners must
# match or beat it. CSAT and FCR in percent, AHT and first response in seconds, cost per
# contact fully loaded in USD.
BASELINES = {
    Channel.VOICE: BaselineInput("voice", D("87.0"), D("76.0"), 420, 40, D("8.50")),
    Channel.EMAIL: BaselineInput("email", D("86.0"), D("74.0"), 460, 5 * 3600, D("7.20")),
    Channel.CHAT: BaselineInput("chat", D("88.0"), D("78.0"), 560, 55, D("6.50")),
    Channel.SOCIAL: BaselineInput("social", D("86.5"), D("75.0"), 330, 30 * 60, D("9.00")),
}
CHANNEL_LABELS = dict(Channel.choices)

# Calendar month → the forecast against a typical month. A retail peak in November and
# December over a February trough: 1.55 / 0.88 = 1.76, the classic case for outsourcing.
RETAIL_PEAK = {11: D("1.35"), 12: D("1.55"), 1: D("0.95"), 2: D("0.88")}
MILD_PEAK = {11: D("1.15"), 12: D("1.25"), 2: D("0.95")}
FORECAST_MONTHS = 36


@dataclass(frozen=True)
class Step:
    """An expansion step, `week` weeks after go-live."""

    expansion: domain.Expansion
    week: int
    ramp_weeks: int
    adds: str  # the channel or the interaction type (code) it adds
    # Why the step was approved anyway, recorded only when its gate stood red that day.
    override_reason: str = (
        "Approved at the monthly business review, with a weekly scorecard review until the "
        "gate is green."
    )


@dataclass(frozen=True)
class Plan:
    timezone: str
    languages: str
    shifts: tuple[Shift, ...]
    pilot_channel: str  # "" for the partner's largest channel
    steps: tuple[Step, ...]
    seasonal: Mapping[int, Decimal] = field(default_factory=dict)
    kept_in_house: tuple[str, ...] = ()  # interaction types the scope leaves out
    soc2_done: bool = False
    governance_fte: Decimal = GOVERNANCE_FTE
    selected_in: str = "Selected in a request for proposals run outside Keel."


TYPE_STEP = Step(domain.Expansion.INTERACTION_TYPE, week=12, ramp_weeks=10, adds=SECOND_TYPE)
PLANS = {
    "Harborline Support": Plan(
        timezone="America/New_York",
        languages="English, Spanish",
        shifts=(Shift.BUSINESS_HOURS, Shift.AFTER_HOURS, Shift.WEEKEND),
        pilot_channel=Channel.CHAT,
        steps=(
            TYPE_STEP,
            Step(domain.Expansion.CHANNEL, week=24, ramp_weeks=10, adds=Channel.VOICE),
        ),
        seasonal=RETAIL_PEAK,
        soc2_done=True,
    ),
    "Meridian Contact": Plan(
        timezone="America/Bogota",
        languages="Spanish, English",
        shifts=(Shift.BUSINESS_HOURS, Shift.AFTER_HOURS, Shift.WEEKEND),
        pilot_channel=Channel.CHAT,
        steps=(
            Step(
                domain.Expansion.INTERACTION_TYPE,
                week=12,
                ramp_weeks=10,
                adds=SECOND_TYPE,
                override_reason="The misses came with the holiday peak and new hires; order "
                "status is back at SLA. Approved with the pilot's weekly calibration kept for "
                "another month.",
            ),
            # Late: held back by the drift, then taken for the peak season.
            Step(
                domain.Expansion.CHANNEL,
                week=45,
                ramp_weeks=10,
                adds=Channel.VOICE,
                override_reason="Peak season staffing: approved with weekly calibration until "
                "alignment recovers",
            ),
        ),
        seasonal=MILD_PEAK,
        kept_in_house=("billing", "escalation"),
    ),
    "Lotus CX Services": Plan(
        timezone="Asia/Manila",
        languages="English",
        shifts=(Shift.ALL_DAY,),
        pilot_channel=Channel.CHAT,
        steps=(
            # Product questions on a six-week ramp: Keel flags it.
            Step(
                domain.Expansion.INTERACTION_TYPE,
                week=12,
                ramp_weeks=6,
                adds=SECOND_TYPE,
                override_reason="The misses were new hires inside their ten-week ramp; tenured "
                "agents ran at SLA. Approved with a weekly scorecard review of the new cohort.",
            ),
            Step(domain.Expansion.CHANNEL, week=24, ramp_weeks=10, adds=Channel.EMAIL),
        ),
        seasonal=MILD_PEAK,
        soc2_done=True,
    ),
}
# A partner of another account: its largest channel, one more interaction type; a smaller
# programme, governed part-time.
GENERIC_PLAN = Plan(
    timezone="UTC",
    languages="English",
    shifts=(Shift.ALL_DAY,),
    pilot_channel="",
    steps=(TYPE_STEP,),
    governance_fte=D("0.3"),
)


# SELECTION
# ------------------------------------------------------------------------------

SELECTION_NAME = "Support partner {year}"  # the year the selection ran
# The selection ran in the eight weeks before the chosen partner went live.
SELECTION_WEEKS = 8
CHOSEN = "Harborline Support"
CRITERIA = [c.key for c in domain.DEFAULT_CRITERIA]


@dataclass(frozen=True)
class Bid:
    name: str
    delivery_model: DeliveryModel
    country: str
    operations_manager: str
    # The quote: (channel, model, rate) lines, the channels' own rates.
    rates: tuple[tuple[str, str, Decimal], ...]
    components: Mapping[str, Decimal]  # loaded-cost field → percent
    attrition_pct: Decimal | None
    attrition_trend: str
    notes: str
    # Scores in the order of the default criteria: program manager, QA reviewer, executive.
    scores: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
    evidence: tuple[str, ...]  # the program manager's, per criterion
    red_flags: tuple[tuple[str, str, str], ...] = ()  # (raised by role, kind, note)


BIDS = (
    Bid(
        "Harborline Support", DeliveryModel.ONSHORE, "United States", "Renée Caldwell",
        (("voice", "per_hour", D("24.00")), ("email", "per_contact", D("4.60")),
         ("chat", "per_contact", D("3.40"))),
        {"wfm_pct": D(3), "qa_pct": D(2), "team_leads_pct": D(4), "training_pct": D(2),
         "technology_pct": D(3)},
        D("30.0"), "stable",
        "Atlanta site. Three retail references, one in home goods. Shared dashboards and raw "
        "exports from day one.",
        ((5, 4, 4, 4, 3, 4, 4, 4, 5), (4, 4, 5, 4, 3, 4, 4, 4, 5), (4, 4, 4, 4, 4, 4, 4, 4, 4)),
        (
            "One team lead per 12 agents; side-by-side coaching seen on the floor visit.",
            "Two retail programmes of our size; agents trained on returns policy.",
            "Samples 5 contacts per agent a week and offered weekly joint calibration.",
            "Stated 30 % a year, per site, with the trend over 8 quarters.",
            "Honest: 60 % of the target headcount at go-live, full after 12 weeks.",
            "Escalation matrix mapped to our tiers; L1 closes 70 % of escalations.",
            "Works in our helpdesk and telephony; no parallel stack.",
            "Knowledge base changes reach agents the same shift.",
            "Live dashboards with per-agent data, raw daily exports.",
        ),
    ),
    Bid(
        "Atlas Nearshore", DeliveryModel.NEARSHORE, "Mexico", "Luis Ortega",
        (("voice", "per_fte", D("1900.00")), ("email", "per_contact", D("3.10")),
         ("chat", "per_contact", D("2.60"))),
        {"wfm_pct": D(4), "qa_pct": D(3), "team_leads_pct": D(6), "training_pct": D(3),
         "technology_pct": D(4)},
        D("41.0"), "rising",
        "Monterrey site, bilingual floor. Strong on volume, thinner on retail.",
        ((3, 4, 3, 3, 4, 3, 4, 3, 3), (3, 3, 3, 3, 4, 3, 4, 3, 2), (4, 4, 3, 3, 4, 3, 4, 3, 3)),
        (
            "One team lead per 20 agents; coaching mostly by QA.",
            "Good e-commerce references, none with returns.",
            "QA samples 2 contacts per agent a month; calibration on request.",
            "41 % a year and rising; said so when asked.",
            "Can staff 120 agents in 6 weeks; references confirm it.",
            "Escalations go straight back to us; little closed at L1.",
            "Runs our helpdesk; telephony needs their own platform.",
            "Weekly knowledge-base release cycle.",
            "Monthly PDF report; raw exports on request.",
        ),
        (("qa_reviewer", "no_shared_dashboards", "Monthly PDF reports only; raw exports "
          "'on request'."),),
    ),
    Bid(
        "Cebu Prime BPO", DeliveryModel.OFFSHORE, "Philippines", "",
        (("voice", "per_fte", D("1650.00")), ("email", "per_fte", D("1650.00")),
         ("chat", "per_fte", D("1650.00"))),
        {"wfm_pct": D(6), "qa_pct": D(5), "team_leads_pct": D(10), "training_pct": D(7),
         "technology_pct": D(8), "facilities_pct": D(5), "shrinkage_pct": D(7)},
        None, "unknown",
        "The cheapest headline by far, quoted per FTE-month. Every other cost comes on top.",
        ((2, 2, 2, 1, 3, 2, 3, 2, 2), (2, 2, 1, 1, 3, 2, 3, 2, 1), (5, 5, 5, 5, 5, 5, 5, 5, 5)),
        (
            "Team leads shared across three clients; no floor visit offered.",
            "Telecom and travel work; no retail reference.",
            "QA process described in one slide; no rubric shared.",
            "Would not state an attrition figure.",
            "Promises any headcount in two weeks.",
            "No escalation path described.",
            "Would run our helpdesk; wants its own ticketing for back office.",
            "Policy updates in a monthly training cycle.",
            "Reports 'as agreed'; no sample dashboard.",
        ),
        (
            ("qa_reviewer", "no_attrition_figure", "Asked twice; answered 'industry standard'."),
            ("program_manager", "price_without_kpis",
             "Quoted per FTE-month only, with no KPI or quality commitment in the proposal."),
            ("program_manager", "no_operations_manager",
             "Would not name who runs our floor before signature."),
        ),
    ),
)  # fmt: skip
EXECUTIVE_NOTES = {
    "Cebu Prime BPO": "Best price we have seen; their sales team was impressive.",
    "Harborline Support": "Solid references.",
}


# HELPERS
# ------------------------------------------------------------------------------


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


def _moment(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@contextmanager
def _dated(account: Account, day: date) -> Iterator[None]:
    """The audit events written inside the block are dated `day`: the demo's history is
    replayed today, but its audit log reads as it happened."""
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield
    AuditEvent.objects.filter(account=account, pk__gt=last).update(created_at=_moment(day))


def _viewer(account: Account, role: str) -> Viewer | None:
    membership = (
        Membership.objects.filter(account=account, role=role)
        .select_related("account", "partner", "user")
        .order_by("pk")
        .first()
    )
    return viewer_for_membership(membership) if membership else None


def _channel_volumes(partner: Partner, today: date) -> dict[str, int]:
    """Contacts a month per channel: the mean of the last three complete months, largest
    first; the teams' channels at an even split when there is no KPI data."""
    months = [p.start for p in Period.containing(PeriodType.MONTH, today).previous().last(3)]
    rows = (
        KpiSnapshot.objects.filter(
            partner=partner, agent__isnull=True, period_type=PeriodType.MONTH,
            period_start__in=months,
        )
        .values("channel")
        .annotate(contacts=Sum("contacts"))
        .order_by()
    )  # fmt: skip
    volumes = {r["channel"]: r["contacts"] // len(months) for r in rows if r["contacts"]}
    if not volumes:
        channels = sorted(
            set(Team.objects.filter(partner=partner).values_list("channel", flat=True))
        )
        typical = sum(t.contacts for t in domain.STANDARD_MIX)
        volumes = {ch: typical // len(channels) for ch in channels}
    return dict(sorted(volumes.items(), key=lambda kv: (-kv[1], kv[0])))


def _mix(
    volumes: Mapping[str, int], types: Mapping[str, InteractionType], kept: Sequence[str],
    total: int,
) -> list[LineInput]:  # fmt: skip
    """`total` contacts spread over the channels like `volumes` and over the interaction
    types like the typical mix (docs/domain.md, "Scope"; the types kept in-house left out),
    adding up exactly."""
    standard = [t for t in domain.STANDARD_MIX if t.code not in kept and t.code in types]
    weights = [
        domain.MixLine(channel, t.code, volume * t.contacts)
        for channel, volume in volumes.items()
        for t in standard
    ]
    parts = domain.month_forecast(weights, sum(w.contacts for w in weights), total)
    return [LineInput(ch, types[code], n) for (ch, code), n in parts.items()]


def _in_scope_total(volumes: Mapping[str, int], kept: Sequence[str]) -> int:
    """The forecast monthly volume of the scope: the partner's volume without the types kept
    in-house, to the nearest hundred."""
    typical = sum(t.contacts for t in domain.STANDARD_MIX)
    scoped = sum(t.contacts for t in domain.STANDARD_MIX if t.code not in kept)
    raw = D(sum(volumes.values())) * scoped / typical
    return max(100, int((raw / 100).to_integral_value(ROUND_HALF_UP)) * 100)


def _seasonal(first: date, monthly: int, factors: Mapping[int, Decimal]) -> dict[date, int]:
    months = (_add_months(first, n) for n in range(FORECAST_MONTHS))
    return {
        m: int((monthly * factors[m.month]).to_integral_value(ROUND_HALF_UP))
        for m in months
        if m.month in factors
    }


def _items(account: Account, partner: Partner, plan: Plan, billing: bool) -> list[ItemInput]:
    slug = slugify(partner.name)
    docs = "https://docs.example.com"
    items = [
        ItemInput(ItemKind.ESCALATION, "Legal threats, regulator complaints and press enquiries "
                  "come back in-house the same business day"),
        ItemInput(ItemKind.ESCALATION, f"Refunds and goodwill credits above 250 USD go to "
                  f"{account.name}'s customer care lead for approval"),
        ItemInput(ItemKind.ESCALATION, "Data-subject requests (access, erasure) go to the "
                  "privacy team within 24 hours"),
    ]  # fmt: skip
    if plan.kept_in_house:
        names = " and ".join(t.replace("-", " ") for t in plan.kept_in_house)
        items.append(
            ItemInput(ItemKind.ESCALATION, f"Contacts about {names} stay in-house: transfer "
                      "them to the in-house team without handling them")
        )  # fmt: skip
    if billing:
        items.append(
            ItemInput(
                ItemKind.COMPLIANCE, "Card payments by the secure payment link only: agents never "
                "see or hear a card number", Framework.PCI,
                (f"{docs}/compliance/pci-dss-aoc-2026.pdf", f"{docs}/runbooks/secure-payment-link"),
                done=True,
            )
        )  # fmt: skip
    items += [
        ItemInput(
            ItemKind.COMPLIANCE, "Data processing agreement signed; customer data stays in "
            "approved regions", Framework.GDPR, (f"{docs}/contracts/{slug}-dpa.pdf",), done=True,
        ),
        ItemInput(
            ItemKind.COMPLIANCE, "SOC 2 Type II report for the delivery site, less than 12 "
            "months old", Framework.SOC2,
            (f"{docs}/vendors/{slug}/soc2-type2-2026.pdf",) if plan.soc2_done else (),
            done=plan.soc2_done,
        ),
    ]  # fmt: skip
    return items


# SCOPE
# ------------------------------------------------------------------------------


def _scope_input(
    account: Account, partner: Partner, plan: Plan, types: Mapping[str, InteractionType],
    volumes: Mapping[str, int], *, total: int | None = None, shifts: Sequence[Shift] | None = None,
    seasonal: bool = True, note: str = "",
) -> ScopeInput:  # fmt: skip
    assert partner.go_live_date is not None
    first = partner.go_live_date.replace(day=1)
    monthly = total or _in_scope_total(volumes, plan.kept_in_house)
    lines = _mix(volumes, types, plan.kept_in_house, monthly)
    return ScopeInput(
        monthly_volume=monthly,
        first_month=first,
        lines=lines,
        shifts=[s.value for s in (shifts or plan.shifts)],
        languages=plan.languages,
        timezone=plan.timezone,
        currency="USD",
        governance_fte=plan.governance_fte,
        governance_fte_cost=GOVERNANCE_FTE_COST,
        months=_seasonal(first, monthly, plan.seasonal) if seasonal else {},
        baselines=[BASELINES[Channel(ch)] for ch in volumes if ch in BASELINES],
        items=_items(account, partner, plan, billing=any(li.interaction_type.code == "billing"
                                                         for li in lines)),
        note=note,
    )  # fmt: skip


def _backdate_scope(version: ScopeVersion, day: date) -> None:
    ScopeVersion.objects.filter(pk=version.pk).update(created_at=_moment(day))


# THE SELECTION
# ------------------------------------------------------------------------------


def _selection(
    account: Account, pm: Viewer, harborline: Partner, types: Mapping[str, InteractionType],
    today: date,
) -> Selection | None:  # fmt: skip
    """Northwind's selection that chose Harborline, with the scope it was chosen for."""
    reviewer, executive = _viewer(account, Role.QA_REVIEWER), _viewer(account, Role.EXECUTIVE)
    if reviewer is None or executive is None or harborline.go_live_date is None:
        return None
    evaluators = {"program_manager": pm, "qa_reviewer": reviewer, "executive": executive}
    opened = harborline.go_live_date - timedelta(weeks=SELECTION_WEEKS)
    decided = harborline.go_live_date - timedelta(days=10)
    plan = PLANS[CHOSEN]
    with _dated(account, opened):
        selection = services.selection_create(
            viewer=pm, name=SELECTION_NAME.format(year=opened.year)
        )
        # The request for proposals: the typical month of 5,000 contacts (docs/domain.md,
        # "Scope") on Harborline's channels, weekdays only.
        scope = services.scope_save(
            viewer=pm, selection=selection,
            data=_scope_input(
                account, harborline, plan, types, _channel_volumes(harborline, today),
                total=5000, shifts=(Shift.BUSINESS_HOURS, Shift.AFTER_HOURS), seasonal=False,
                note="The scope of the request for proposals.",
            ),
        )  # fmt: skip
    _backdate_scope(scope, opened)
    Selection.objects.filter(pk=selection.pk).update(created_at=_moment(opened))
    bids_in = opened + timedelta(days=7)
    candidates = {}
    with _dated(account, bids_in):
        for bid in BIDS:
            candidates[bid.name] = services.candidate_save(
                viewer=pm,
                candidate=Candidate(
                    selection=selection, name=bid.name, delivery_model=bid.delivery_model,
                    country=bid.country, operations_manager=bid.operations_manager,
                    attrition_pct=bid.attrition_pct, attrition_trend=bid.attrition_trend,
                    notes=bid.notes, **bid.components,
                ),
                rates=[
                    services.RateInput(channel=channel, pricing_model=model, rate=rate)
                    for channel, model, rate in bid.rates
                ],
            )  # fmt: skip
    Candidate.objects.filter(selection=selection).update(created_at=_moment(bids_in))
    scored = opened + timedelta(days=21)
    with _dated(account, scored):
        for bid in BIDS:
            candidate = candidates[bid.name]
            for n, (role, viewer) in enumerate(evaluators.items()):
                notes = (
                    bid.evidence if role == "program_manager"
                    else (EXECUTIVE_NOTES.get(bid.name, ""),) if role == "executive"
                    else ()
                )  # fmt: skip
                services.scores_save(
                    viewer=viewer,
                    candidate=candidate,
                    scores=[
                        services.ScoreInput(key, score, notes[i] if i < len(notes) else "")
                        for i, (key, score) in enumerate(zip(CRITERIA, bid.scores[n], strict=True))
                    ],
                )  # fmt: skip
            for role, kind, note in bid.red_flags:
                services.red_flag_add(
                    viewer=evaluators[role], candidate=candidate, kind=kind, note=note
                )
    CandidateScore.objects.filter(candidate__selection=selection).update(updated_at=_moment(scored))
    CandidateRedFlag.objects.filter(candidate__selection=selection).update(
        created_at=_moment(scored)
    )
    # Harborline is already a partner of the demo (demo.accounts created it with its teams
    # and roster), so `candidate_choose`, which creates the partner, cannot be used: the
    # choice is recorded as it would have made it. The selection is closed, the candidate
    # points at the partner, and the selection's scope becomes the partner's version 1.
    Selection.objects.filter(pk=selection.pk).update(
        status=SelectionStatus.CHOSEN, decided_at=_moment(decided)
    )
    Candidate.objects.filter(pk=candidates[CHOSEN].pk).update(partner=harborline)
    ScopeVersion.objects.filter(selection=selection, partner__isnull=True).update(
        partner=harborline
    )
    AuditEvent.objects.create(
        account=account, actor=pm.user, action="candidate.chosen",
        summary=f"Chose {CHOSEN} in {selection}: now a partner",
        details={"partner": harborline.pk}, created_at=_moment(decided),
    )  # fmt: skip
    selection.refresh_from_db()
    return selection


# STAGES
# ------------------------------------------------------------------------------


def _gate_as_it_stood(
    pm: Viewer, partner: Partner, day: date, threshold_pct: Decimal
) -> domain.Gate:
    """The gate of an expansion on `day`, as `selectors.gate_for` reads it then: the band
    statuses of the channels the engagement had taken on, and the calibration of the months
    before. A gate older than the KPI history (the demo keeps twelve months) cannot be read
    from data: it is recorded as the pilot left it, at SLA with the pilot calibrations'
    alignment."""
    needed = [p.start for p in _months_list(day, GATE_MONTHS)]  # newest first
    first_data = KpiSnapshot.objects.filter(
        partner=partner, agent__isnull=True, period_type=PeriodType.MONTH, contacts__gt=0
    ).aggregate(first=Min("period_start"))["first"]
    if first_data is None or needed[-1] < first_data:
        months = [domain.GateMonth(f"{m:%B %Y}", True) for m in needed]
        return domain.gate(
            months, months_needed=GATE_MONTHS, alignment=PILOT_ALIGNMENT,
            alignment_threshold=threshold_pct / 100,
        )  # fmt: skip
    return selectors.gate_for(pm, partner, day, months=GATE_MONTHS, threshold_pct=threshold_pct)


def _months_list(day: date, count: int) -> list[Period]:
    """The `count` complete months before `day`'s, newest first."""
    return Period.containing(PeriodType.MONTH, day).previous().last(count)[::-1]


def _stages(
    account: Account, pm: Viewer, partner: Partner, plan: Plan,
    types: Mapping[str, InteractionType], channels: Sequence[str], today: date,
    selection: Selection | None,
) -> list[EngagementStage]:  # fmt: skip
    go_live = partner.go_live_date
    assert go_live is not None
    pilot_channel = plan.pilot_channel if plan.pilot_channel in channels else channels[0]
    if selection is not None:
        selected_on = clock.local_date(selection.created_at)
        described = f"Chosen in '{selection}' among {selection.candidates.count()} candidates."
    else:
        selected_on, described = go_live - timedelta(weeks=10), plan.selected_in
    made = []

    def start(data: StageInput, gate: domain.Gate | None = None) -> None:
        with _dated(account, data.started_on):
            stage = services.stage_start(viewer=pm, partner=partner, data=data, gate=gate)
        EngagementStage.objects.filter(pk=stage.pk).update(created_at=_moment(data.started_on))
        made.append(stage)

    start(StageInput(StageKind.SELECTION, selected_on, description=described))
    start(
        StageInput(
            StageKind.PILOT, go_live, channels=[pilot_channel],
            interaction_types=[types[PILOT_TYPE]], shifts=[Shift.BUSINESS_HOURS.value],
            ramp_weeks=4,
            description=f"{CHANNEL_LABELS[pilot_channel]}, order status, business hours only.",
        )
    )  # fmt: skip
    in_scope_channels, in_scope_types = [pilot_channel], [types[PILOT_TYPE]]
    for step in plan.steps:
        day = go_live + timedelta(weeks=step.week)
        if day >= today:
            break
        if step.expansion is domain.Expansion.CHANNEL:
            if step.adds not in channels or step.adds in in_scope_channels:
                continue
            adds_channels, adds_types = [step.adds], list(in_scope_types)
            described = (
                f"{CHANNEL_LABELS[step.adds]} for "
                + " and ".join(t.name.lower() for t in in_scope_types)
                + "."
            )
        else:
            adds_channels, adds_types = [], [types[step.adds]]
            described = f"{types[step.adds].name} on {', '.join(in_scope_channels)}."
        gate = _gate_as_it_stood(pm, partner, day, ALIGNMENT_THRESHOLD_PCT)
        start(
            StageInput(
                StageKind.EXPANSION, day, expansion=step.expansion.value, description=described,
                channels=adds_channels, interaction_types=adds_types,
                ramp_weeks=step.ramp_weeks, gate_months=GATE_MONTHS,
                alignment_threshold_pct=ALIGNMENT_THRESHOLD_PCT,
                override_reason="" if gate.green else step.override_reason,
            ),
            gate,
        )  # fmt: skip
        in_scope_channels += adds_channels
        in_scope_types += [t for t in adds_types if t not in in_scope_types]
    return made


# THE PROGRAMME
# ------------------------------------------------------------------------------


@transaction.atomic
def build(*, account: Account, today: date) -> dict[str, int]:
    """Scopes, the selection and the stages of the account's demo partners. Row counts."""
    counts = {"scopes": 0, "stages": 0, "selections": 0, "candidates": 0}
    pm = _viewer(account, Role.PROGRAM_MANAGER)
    if pm is None:
        return counts
    InteractionType.objects.filter(account=account, code__in=ROUTINE_TYPES).update(is_routine=True)
    types = {t.code: t for t in services.standard_types_ensure(viewer=pm)}
    partners = list(
        Partner.objects.filter(account=account, go_live_date__isnull=False, in_house=False)
        .select_related("account")
        .order_by("name")
    )
    northwind = account.name == DEMO_ACCOUNT
    for partner in partners:
        plan = PLANS.get(partner.name, GENERIC_PLAN) if northwind else GENERIC_PLAN
        assert partner.go_live_date is not None
        volumes = _channel_volumes(partner, today)
        selection = None
        if northwind and partner.name == CHOSEN:
            selection = _selection(account, pm, partner, types, today)
            if selection is not None:
                counts["selections"] += 1
                counts["candidates"] += selection.candidates.count()
                counts["scopes"] += 1
        if selection is not None:
            # After the first peak season: the scope as it runs today.
            revised = partner.go_live_date + timedelta(weeks=17)
            with _dated(account, revised):
                version = services.scope_save(
                    viewer=pm, partner=partner,
                    data=_scope_input(
                        account, partner, plan, types, volumes,
                        note="After the first peak season: weekend cover added, the "
                        "November-December peak and the February trough in the forecast, "
                        "volumes re-based on the actual contacts.",
                    ),
                )  # fmt: skip
            _backdate_scope(version, revised)
        else:
            written = partner.go_live_date - timedelta(weeks=4)
            with _dated(account, written):
                version = services.scope_save(
                    viewer=pm, partner=partner,
                    data=_scope_input(account, partner, plan, types, volumes),
                )  # fmt: skip
            _backdate_scope(version, written)
        counts["scopes"] += 1
        counts["stages"] += len(
            _stages(account, pm, partner, plan, types, list(volumes), today, selection)
        )
    return counts
