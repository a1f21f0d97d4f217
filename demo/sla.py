"""Contracts and SLAs for the demo programme, and their history replayed month by month.

Each Northwind partner gets a contract with its own rate card (Harborline per agent hour on
voice and per contact on email and chat, Meridian per contact with complaints and returns
priced above the rest, Lotus hybrid: per contact plus a bonus per resolved contact)
and one SLA governing CSAT and FCR (docs/domain.md, "SLA bands"), SLA adherence and escalation rate
(bands negotiated after the pilot) on every channel it serves, with AHT as a guardrail.
Meridian's drift after its sixth month takes it through remediation into penalty. Every
month with data is evaluated as the nightly run would have on the third day of the next
month; all complete months but the last are approved, the last waits for the program
manager.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from demo.kpis import CHANNEL_TIMES, HANDLE_MEAN_FACTOR
from kpis.models import KpiSnapshot
from kpis.periods import Period, PeriodType, periods_between
from partners.models import Account, InteractionType, Membership, Partner, Role
from sla import domain
from sla.evaluation import exit_criteria_check, partner_months_evaluate
from sla.models import (
    ChannelVolume,
    Contract,
    ExitCriterion,
    GovernedKpi,
    RateLine,
    Settlement,
    SettlementStatus,
    Sla,
)

# partner: contract terms and rate card (the industry's usual pricing ranges, docs/sla.md).
# A rate line is (channel, interaction type code or "", model, rate, hybrid base, bonus).
TERMS: dict[str, dict[str, object]] = {
    "Harborline Support": {
        "notice_days": 60,
        "wfm_pct": Decimal(3), "qa_pct": Decimal(2), "team_leads_pct": Decimal(4),
        "training_pct": Decimal(2), "technology_pct": Decimal(3), "facilities_pct": Decimal(0),
        "shrinkage_pct": Decimal(0),
    },
    "Meridian Contact": {
        "notice_days": 45,
        "wfm_pct": Decimal(4), "qa_pct": Decimal(3), "team_leads_pct": Decimal(5),
        "training_pct": Decimal(3), "technology_pct": Decimal(2), "facilities_pct": Decimal(1),
        "shrinkage_pct": Decimal(0),
    },
    "Lotus CX Services": {
        "notice_days": 30,
        "wfm_pct": Decimal(5), "qa_pct": Decimal(4), "team_leads_pct": Decimal(6),
        "training_pct": Decimal(3), "technology_pct": Decimal(4), "facilities_pct": Decimal(0),
        "shrinkage_pct": Decimal(3),
    },
}  # fmt: skip
RateTerms = tuple[str, str, str, str, str, str]
RATES: dict[str, tuple[RateTerms, ...]] = {
    # Voice by the agent hour; email and chat by the contact.
    "Harborline Support": (
        ("voice", "", "per_hour", "24.00", "", "0"),
        ("email", "", "per_contact", "4.60", "", "0"),
        ("chat", "", "per_contact", "3.40", "", "0"),
    ),
    # Every channel by the contact, complaints and returns above the rest.
    "Meridian Contact": tuple(
        line
        for channel in ("voice", "email", "chat", "social")
        for line in (
            (channel, "", "per_contact", "3.80", "", "0"),
            (channel, "complaint-return", "per_contact", "6.20", "", "0"),
        )
    ),
    # A base per contact plus a bonus per resolved contact.
    "Lotus CX Services": (
        ("email", "", "hybrid", "2.10", "per_contact", "0.60"),
        ("chat", "", "hybrid", "2.10", "per_contact", "0.60"),
    ),
}
GOVERNED_TEMPLATES = ("csat", "fcr")
# Bands negotiated from the pilots rather than the templates' defaults.
NEGOTIATED = {
    "sla": [
        domain.Band(domain.BandKind.PENALTY, None, Decimal(86), credit_pct=Decimal(5),
                    opens_remediation=True),
        domain.Band(domain.BandKind.REMEDIATION, Decimal(86), Decimal(90), opens_remediation=True),
        domain.Band(domain.BandKind.BASE, Decimal(90), None),
    ],
    "escalation": [
        domain.Band(domain.BandKind.BASE, None, Decimal(15)),
        domain.Band(domain.BandKind.REMEDIATION, Decimal(15), Decimal(20), opens_remediation=True),
        domain.Band(domain.BandKind.PENALTY, Decimal(20), None, credit_pct=Decimal(5),
                    opens_remediation=True),
    ],
}  # fmt: skip
OCCUPANCY = Decimal("0.75")  # share of paid hours spent handling contacts


def _aht_guardrail(channel: str) -> list[domain.Band]:
    """A review when AHT runs 60 % over the channel's usual handle time."""
    handle, _ = CHANNEL_TIMES[channel]
    ceiling = Decimal(round(handle * HANDLE_MEAN_FACTOR * 1.6 / 30) * 30)
    return [
        domain.Band(domain.BandKind.BASE, None, ceiling),
        domain.Band(domain.BandKind.CUSTOM, ceiling, None, opens_remediation=True, label="review"),
    ]


def _govern(sla: Sla, channel: str, kpi: str, bands: list[domain.Band], guardrail: bool) -> None:
    governed = GovernedKpi.objects.create(sla=sla, channel=channel, kpi=kpi, guardrail=guardrail)
    governed.set_bands(bands)


def _hours(partner: Partner, contract: Contract, months: list[Period], channels: list[str]) -> None:
    """Agent hours billed per channel priced by the hour and month: handle time at 75 %
    occupancy."""
    totals = KpiSnapshot.objects.filter(
        partner=partner, agent__isnull=True, period_type=PeriodType.MONTH,
        period_start__in=[m.start for m in months], channel__in=channels,
    ).values_list("channel", "period_start", "handle_seconds")  # fmt: skip
    ChannelVolume.objects.bulk_create(
        ChannelVolume(
            contract=contract,
            channel=channel,
            month=start,
            hours=(Decimal(seconds) / 3600 / OCCUPANCY).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            ),
        )
        for channel, start, seconds in totals
        if seconds
    )


def build(*, account: Account, today: date) -> dict[str, int]:
    """Contracts, SLAs and their evaluated history for the account's demo partners."""
    counts = {"contracts": 0, "settlements": 0, "plans": 0}
    pm = (
        Membership.objects.filter(account=account, role=Role.PROGRAM_MANAGER)
        .select_related("user")
        .first()
    )
    current = Period.containing(PeriodType.MONTH, today)
    for partner in Partner.objects.filter(account=account, name__in=TERMS).order_by("name"):
        start = (partner.go_live_date or today).replace(day=1)
        with transaction.atomic():
            contract = Contract.objects.create(
                partner=partner,
                name=f"{partner.name} master services agreement",
                start_date=start,
                end_date=start.replace(year=start.year + 3) - timedelta(days=1),
                currency="USD",
                credit_cap_pct=Decimal(10),
                bonus_cap_pct=Decimal(5),
                **TERMS[partner.name],  # type: ignore[arg-type]
            )
            types = {t.code: t for t in InteractionType.objects.filter(account=account)}
            RateLine.objects.bulk_create(
                RateLine(
                    contract=contract, channel=channel, interaction_type=types.get(code),
                    pricing_model=model, rate=Decimal(rate), hybrid_base=base,
                    resolution_bonus=Decimal(bonus),
                )
                for channel, code, model, rate, base, bonus in RATES[partner.name]
                if not code or code in types
            )  # fmt: skip
            sla = Sla.objects.create(contract=contract, name="Service quality")
            channels = (
                KpiSnapshot.objects.filter(partner=partner, agent__isnull=True)
                .values_list("channel", flat=True)
                .distinct()
            )
            for channel in sorted(set(channels)):
                for key in GOVERNED_TEMPLATES:
                    template = domain.TEMPLATES[key]
                    _govern(sla, channel, template.kpi, list(template.bands), False)
                for kpi, bands in NEGOTIATED.items():
                    _govern(sla, channel, kpi, bands, False)
                _govern(sla, channel, "aht", _aht_guardrail(channel), True)
            ExitCriterion.objects.create(
                contract=contract, kpi="csat", comparison="below", threshold=Decimal(80),
                period_type="quarter", periods=2, despite_remediation=True,
            )  # fmt: skip
            first_data = (
                KpiSnapshot.objects.filter(
                    partner=partner, period_type=PeriodType.MONTH, contacts__gt=0
                )
                .order_by("period_start")
                .values_list("period_start", flat=True)
                .first()
            )
            months = periods_between(PeriodType.MONTH, max(start, first_data or today), today)
            hourly = [c for c, _, model, *_ in RATES[partner.name] if model == "per_hour"]
            _hours(partner, contract, months, hourly)
        counts["contracts"] += 1
        # Replay the nightly run: each month evaluated on the third day of the next one.
        for month in months:
            replay_day = min(month.end + timedelta(days=3), today)
            partner_months_evaluate(partner_id=partner.pk, months=[month.start], today=replay_day)
            exit_criteria_check(partner_id=partner.pk, today=replay_day)
        partner_months_evaluate(partner_id=partner.pk, months=[current.start], today=today)
        exit_criteria_check(partner_id=partner.pk, today=today)
        last_complete = current.previous().start
        approved_at = {
            m.start: timezone.make_aware(datetime.combine(m.end + timedelta(days=5), time(10)))
            for m in months
        }
        for settlement in Settlement.objects.filter(contract=contract, month__lt=last_complete):
            settlement.status = SettlementStatus.APPROVED
            settlement.approved_by = pm.user if pm else None
            settlement.approved_by_label = pm.user.display_name if pm else "seed_demo"
            settlement.approved_at = approved_at[settlement.month]
            settlement.save(update_fields=["status", "approved_by", "approved_by_label",
                                           "approved_at"])  # fmt: skip
        counts["settlements"] += contract.settlements.count()
        counts["plans"] += partner.remediation_plans.count()
    return counts
