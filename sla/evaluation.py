"""Nightly SLA evaluation: from KPI snapshots to band statuses, settlements, remediation plans
and exit criteria. The rules are `sla.domain`'s; this module reads their inputs from the
database and writes their results.

One partner and month is evaluated in one transaction, and only differences are written:
running it twice changes nothing, and a crash leaves the previous result as it was.

Months are the account's: `today` is the date in the account's time zone (callers pass
`clock.today(account)`), snapshots are cut at its midnights, and calibration sessions count
in the month they were revealed in there (docs/sla.md).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Prefetch, Q, prefetch_related_objects

from core import clock
from kpis.domain import Counts, Kpi, KpiValue, kpi_values, total
from kpis.models import Interaction, KpiSnapshot
from kpis.periods import Period, PeriodType, periods_between
from kpis.snapshots import partner_zone
from partners.models import Channel, Membership, Partner, Role
from partners.services import audit_record
from sla import domain
from sla.currency import minor_digits
from sla.models import (
    Band,
    BandStatus,
    CarriedAdjustment,
    Contract,
    ExitCriterion,
    GovernedKpi,
    LineBasis,
    PlanKind,
    PlanStatus,
    RateLine,
    RemediationPlan,
    Settlement,
    SettlementLine,
    SettlementStatus,
)

log = logging.getLogger(__name__)

CHANNEL_LABELS = dict(Channel.choices)


def month_of(day: date) -> Period:
    return Period.containing(PeriodType.MONTH, day)


def moment(today: date, where: clock.Zone = None) -> datetime:
    """When the evaluation happens: now, or 03:00 on `today` in `where` (the account) when it
    replays an earlier day (the demo's history, a test's hand-worked example)."""
    if today == clock.today(where):
        return clock.now()
    return datetime.combine(today, time(3, 0), tzinfo=clock.zone(where))


def _month_counts(partner_id: int, month: date) -> dict[str, Counts]:
    """The channel totals of one month (snapshots without an agent)."""
    rows = KpiSnapshot.objects.filter(
        partner_id=partner_id, agent__isnull=True, period_type=PeriodType.MONTH, period_start=month
    )
    return {s.channel: s.counts for s in rows}


def kpi_value(key: str, counts: Counts | None, period: Period) -> KpiValue | None:
    """A governed KPI's value from a channel's counts; None when nothing measures it."""
    if counts is None or key not in Kpi._value2member_map_:
        return None
    return kpi_values(counts, period_days=period.days)[Kpi(key)]


def _with_rates(contract: Contract) -> Contract:
    """The contract with its rate card loaded (one query), for the invoices."""
    prefetch_related_objects(
        [contract], Prefetch("rates", queryset=RateLine.objects.select_related("interaction_type"))
    )
    return contract


def _governed(contract: Contract) -> list[GovernedKpi]:
    return list(
        GovernedKpi.objects.filter(sla__contract=contract)
        .select_related("sla__contract")
        .prefetch_related(Prefetch("bands", queryset=Band.objects.order_by("position")))
        .order_by("channel", "kpi", "pk")
    )


@dataclass(frozen=True)
class Evaluated:
    governed: GovernedKpi
    result: domain.BandResult
    projection: domain.BandResult | None


def calibration_alignment(
    partner_id: int, period: Period, where: clock.Zone = None
) -> domain.Measured | None:
    """The mean agreement of the partner's calibration sessions revealed in the period, whose
    days are those of `where` (default: the partner's account's time zone)."""
    from calibration.models import CalibrationSession

    zone = clock.zone(where) if where is not None else partner_zone(partner_id)
    agreements = list(
        CalibrationSession.objects.filter(
            partner_id=partner_id,
            revealed_at__gte=clock.start_of(period.start, zone),
            revealed_at__lt=clock.start_of(period.next().start, zone),
            agreement__isnull=False,
        ).values_list("agreement", flat=True)
    )
    if not agreements:
        return None
    return domain.Measured(sum(agreements, Decimal(0)) / len(agreements), len(agreements))


def _evaluate(
    governed: list[GovernedKpi], counts: dict[str, Counts], period: Period, today: date
) -> list[Evaluated]:
    complete = today > period.end
    # Days with data so far, today's (partial) day included.
    elapsed = min((today - period.start).days + 1, period.days)
    out = []
    alignment = None
    if any(g.kpi == domain.CALIBRATION for g in governed):
        alignment = calibration_alignment(governed[0].sla.contract.partner_id, period)
    for g in governed:
        bands = g.band_specs()
        if not bands:
            continue
        value: KpiValue | domain.Measured | None = (
            alignment
            if g.kpi == domain.CALIBRATION
            else kpi_value(g.kpi, counts.get(g.channel), period)
        )
        result = domain.evaluate(g.definition, value, bands, min_sample=g.min_sample)
        projection = None
        # Contact KPIs accrue through the month and are projected; sessions are not.
        if not complete and isinstance(value, KpiValue) and value.value is not None:
            projected = domain.project(value, days_elapsed=elapsed, days_in_period=period.days)
            projection = domain.evaluate(g.definition, projected, bands, min_sample=g.min_sample)
        out.append(Evaluated(g, result, projection))
    return out


def _status_fields(item: Evaluated, bands: dict[tuple[int, int], Band], complete: bool) -> dict:
    r = item.result
    p = item.projection
    shown = domain.result_value(r)
    band_obj = None
    if r.band is not None:
        index = item.governed.band_specs().index(r.band)
        band_obj = bands.get((item.governed.pk, index))
    return {
        "partner_id": item.governed.sla.contract.partner_id,
        "channel": item.governed.channel,
        "kpi": item.governed.kpi,
        "value": r.value,
        "value_text": shown.number if shown else "",
        "sample": r.sample,
        "low": r.low,
        "high": r.high,
        "band": band_obj,
        "band_kind": r.band.kind.value if r.band else "",
        "band_label": r.band.name if r.band else "",
        "decision": r.decision.value,
        "at_risk": r.at_risk,
        "month_complete": complete,
        "projected_value": p.value if p else None,
        "projected_low": p.low if p else None,
        "projected_high": p.high if p else None,
        "projected_band_label": p.band.name if p and p.band else "",
        "heading": domain.heading(p).value if p else "",
    }


def _decimal_equal(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if a is None or b is None:
            return a is b
        return Decimal(a).quantize(Decimal("0.000001")) == Decimal(b).quantize(Decimal("0.000001"))
    return bool(a == b)


def _changed(obj: Any, fields: dict[str, Any]) -> bool:
    for name, value in fields.items():
        current = getattr(obj, name)
        if name == "band":
            if (current.pk if current else None) != (value.pk if value else None):
                return True
        elif not _decimal_equal(current, value):
            return True
    return False


def _line_fields(line: domain.Line, position: int, basis: str) -> dict[str, Any]:
    return {
        "basis": basis,
        "position": position,
        "channel": line.channel,
        "kpi": line.kpi,
        "value": line.value,
        "value_text": line.value_text,
        "sample": line.sample,
        "band_kind": line.band.kind.value if line.band else "",
        "band_label": line.band.name if line.band else "",
        "decision": line.decision.value,
        "at_risk": line.at_risk,
        "guardrail": line.guardrail,
        "credit": line.credit,
        "bonus": line.bonus,
        "opens_plan": line.opens_plan,
        "explanation": line.explanation[:500],
    }


def _write_lines(settlement: Settlement, basis: str, lines: list[domain.Line]) -> bool:
    wanted = [_line_fields(line, i, basis) for i, line in enumerate(lines)]
    stored = list(settlement.lines.filter(basis=basis).order_by("position"))
    if len(stored) == len(wanted) and not any(
        _changed(s, w) for s, w in zip(stored, wanted, strict=True)
    ):
        return False
    settlement.lines.filter(basis=basis).delete()
    SettlementLine.objects.bulk_create(SettlementLine(settlement=settlement, **w) for w in wanted)
    return True


def _type_volumes(contract: Contract, period: Period) -> dict[str, dict[str, domain.TypeVolume]]:
    """Per channel, the month's contacts and resolved contacts of each interaction type the
    rate card prices on a line of its own (one grouped query; none without such lines)."""
    typed = {
        (line.channel, line.interaction_type.code)
        for line in contract.rates.all()
        if line.interaction_type is not None
    }
    if not typed:
        return {}
    rows = (
        Interaction.objects.filter(
            partner_id=contract.partner_id,
            opened_at__gte=clock.start_of(period.start, contract.partner.account),
            opened_at__lt=clock.start_of(period.next().start, contract.partner.account),
            interaction_type__code__in={code for _, code in typed},
        )
        .values("channel", "interaction_type__code")
        .annotate(contacts=Count("pk"), resolved=Count("pk", filter=Q(resolved_first_contact=True)))
        .order_by()
    )
    result: dict[str, dict[str, domain.TypeVolume]] = defaultdict(dict)
    for row in rows:
        result[row["channel"]][row["interaction_type__code"]] = domain.TypeVolume(
            row["contacts"], row["resolved"]
        )
    return result


def _invoices(
    contract: Contract, period: Period, counts: dict[str, Counts], governed: set[str]
) -> dict[str, domain.Invoice]:
    """One invoice per channel the rate card prices that had work this month (contacts,
    entered hours or FTE, a governed KPI, or a monthly fee). A governed channel without a
    rate (a card changed since) gets an empty invoice that says so, rather than a credit on
    nothing. Contacts on channels the card does not price are not this contract's."""
    volumes = {v.channel: v for v in contract.volumes.filter(month=period.start)}
    by_type = _type_volumes(contract, period)
    lines: dict[str, list[domain.RateLine]] = defaultdict(list)
    for line in contract.rate_lines():
        lines[line.channel].append(line)
    fees = {c for c, here in lines.items() if any(
        line.pricing.model is domain.PricingModel.OUTCOME for line in here
    )}  # fmt: skip
    worked = governed | set(volumes) | {c for c, n in counts.items() if n.contacts} | fees
    digits = minor_digits(contract.currency)
    result = {}
    for channel in sorted(set(lines) & worked | governed, key=list(CHANNEL_LABELS).index):
        label = CHANNEL_LABELS[channel]
        if channel not in lines:
            result[channel] = domain.Invoice(
                domain.ZERO, f"the rate card has no {label.lower()} rate", "rate"
            )
            continue
        entered = volumes.get(channel)
        c = counts.get(channel, Counts())
        result[channel] = domain.rate_card_invoice(
            lines[channel],
            domain.Volumes(
                hours=entered.hours if entered else None,
                fte=entered.fte if entered else None,
                contacts=c.contacts,
                resolved=c.fcr_yes,
                by_type=by_type.get(channel, {}),
            ),
            channel_label=label,
            currency=contract.currency,
            minor_digits=digits,
        )
    return result


def _settle(
    contract: Contract,
    evaluated: list[Evaluated],
    counts: dict[str, Counts],
    month: date,
    carried: Decimal,
) -> domain.Settlement:
    invoices = _invoices(contract, month_of(month), counts, {e.governed.channel for e in evaluated})
    items = [
        domain.LineInput(
            e.governed.channel,
            CHANNEL_LABELS[e.governed.channel],
            e.result,
            guardrail=e.governed.guardrail,
        )
        for e in evaluated
    ]
    return domain.settle(
        invoices=invoices,
        items=items,
        credit_cap_pct=contract.credit_cap_pct,
        bonus_cap_pct=contract.bonus_cap_pct,
        currency=contract.currency,
        minor_digits=minor_digits(contract.currency),
        carried=carried,
    )


def _settlement_fields(result: domain.Settlement) -> dict[str, Any]:
    return {
        "currency": result.currency,
        "invoices": {
            channel: {
                "amount": str(inv.amount),
                "explanation": inv.explanation,
                "missing": inv.missing,
                "parts": [{"text": p.text, "amount": str(p.amount)} for p in inv.parts],
            }
            for channel, inv in result.invoices.items()
        },
        "invoice_total": result.invoice_total,
        "credit_gross": result.credit_gross,
        "credit_cap": result.credit_cap,
        "credit_total": result.credit_total,
        "bonus_gross": result.bonus_gross,
        "bonus_cap": result.bonus_cap,
        "bonus_total": result.bonus_total,
        "carried": result.carried,
        "net": result.net,
        "notes": result.notes,
    }


def _latest_fields(latest: domain.Settlement | None) -> dict[str, Any]:
    """An approved month on the latest data, as far as its adjustment needs it."""
    if latest is None:
        return {
            "latest_net": None, "latest_invoices": {}, "latest_invoice_total": None,
            "latest_credit_total": None, "latest_bonus_total": None,
        }  # fmt: skip
    return {
        "latest_net": latest.net,
        "latest_invoices": _settlement_fields(latest)["invoices"],
        "latest_invoice_total": latest.invoice_total,
        "latest_credit_total": latest.credit_total,
        "latest_bonus_total": latest.bonus_total,
    }


def outstanding_adjustment(settlement: Settlement) -> Decimal:
    """What of an approved settlement's adjustment has not yet gone into an approved month."""
    carried = sum(
        (
            c.amount
            for c in settlement.carried_out.all()
            if c.target.status == SettlementStatus.APPROVED
        ),
        Decimal(0),
    )
    return settlement.adjustment - carried


def _carry_into(draft: Settlement) -> Decimal:
    """Attach to a draft the outstanding adjustments of approved earlier months of its
    contract that no earlier draft takes; returns their sum."""
    sources = Settlement.objects.filter(
        contract_id=draft.contract_id, status=SettlementStatus.APPROVED, month__lt=draft.month
    ).prefetch_related("carried_out__target")
    earlier_drafts = list(
        Settlement.objects.filter(
            contract_id=draft.contract_id, status=SettlementStatus.DRAFT, month__lt=draft.month
        ).values_list("month", flat=True)
    )
    total_ = Decimal(0)
    keep = []
    for source in sources:
        if any(month > source.month for month in earlier_drafts):
            continue  # an earlier open month takes it
        already = next((c for c in source.carried_out.all() if c.target_id == draft.pk), None)
        # Drafts do not count as carried: what this draft takes is what is still outstanding.
        pending = outstanding_adjustment(source)
        if pending == 0:
            continue
        if already is None:
            CarriedAdjustment.objects.create(source=source, target=draft, amount=pending)
        elif already.amount != pending:
            already.amount = pending
            already.save(update_fields=["amount"])
        keep.append(source.pk)
        total_ += pending
    CarriedAdjustment.objects.filter(target=draft).exclude(source_id__in=keep).delete()
    return total_


@dataclass
class Outcome:
    statuses_written: int = 0
    settlement_written: bool = False
    adjustment_changed: bool = False
    plans_opened: int = 0
    plans_closed: int = 0
    plans_withdrawn: int = 0


def _sync_statuses(
    contract: Contract, evaluated: list[Evaluated], month: date, complete: bool, now: datetime
) -> int:
    bands = {
        (b.governed_id, i): b
        for e in evaluated
        for i, b in enumerate(sorted(e.governed.bands.all(), key=lambda b: b.position))
    }
    stored = {
        s.governed_id: s
        for s in BandStatus.objects.filter(
            governed__in=[e.governed for e in evaluated], month=month
        ).select_related("band")
    }
    create, update = [], []
    for item in evaluated:
        fields = _status_fields(item, bands, complete)
        fields["explanation"] = _status_text(item)
        status = stored.get(item.governed.pk)
        if status is None:
            create.append(
                BandStatus(governed=item.governed, month=month, computed_at=now, **fields)
            )
        elif _changed(status, fields):
            for name, value in fields.items():
                setattr(status, name, value)
            status.computed_at = now
            update.append(status)
    BandStatus.objects.bulk_create(create)
    if update:
        BandStatus.objects.bulk_update(update, [*fields, "computed_at"])
    written = len(create) + len(update)
    # A KPI whose bands were all removed no longer has a standing.
    BandStatus.objects.filter(governed__sla__contract=contract, month=month).exclude(
        governed__in=[e.governed for e in evaluated]
    ).delete()
    return written


def _status_text(item: Evaluated) -> str:
    text = domain.describe(
        item.result, CHANNEL_LABELS[item.governed.channel], guardrail=item.governed.guardrail
    )
    p = item.projection
    if p is not None:
        text = f"Month to date: {text}"
    if p is not None and p.band is not None and p.value is not None:
        text += f"; projected month end {domain.result_value(p)} ({p.band.name})"
    return text[:400]


def _no_work_on(plan: RemediationPlan) -> bool:
    return (
        not plan.actions.strip() and plan.buyer_owner_id is None and plan.partner_owner_id is None
    )


def _review_plans(
    evaluated: list[Evaluated], partner: Partner, period: Period, now: datetime
) -> int:
    """Plans this month opened, checked against the month as the data now stands. A plan
    the data no longer supports is withdrawn, with a note, when nobody has worked on it
    yet; otherwise it is flagged for the program manager to close. Returns how many were
    withdrawn."""
    by_governed = {e.governed.pk: e for e in evaluated}
    plans = RemediationPlan.objects.filter(
        governed_id__in=list(by_governed), opened_month=period.start, status=PlanStatus.OPEN
    )
    withdrawn = 0
    for plan in plans:
        item = by_governed[plan.governed_id]  # type: ignore[index]
        band = item.result.decided_band
        if band is not None and band.opens_remediation:
            if plan.unsupported_since is not None:  # supported again
                RemediationPlan.objects.filter(pk=plan.pk).update(
                    unsupported_since=None, unsupported_note=""
                )
            continue
        now_text = domain.describe(
            item.result, CHANNEL_LABELS[item.governed.channel], with_plan=False
        )
        note = (
            f"No longer supported by current data: in {period.label}, {now_text}, which asks "
            "for no plan."
        )[:300]
        if _no_work_on(plan):
            RemediationPlan.objects.filter(pk=plan.pk).update(
                status=PlanStatus.WITHDRAWN, closed_at=now, closed_reason=f"Withdrawn. {note}"[:300]
            )
            audit_record(
                account=partner.account,
                actor=None,
                action="remediation.withdrawn",
                summary=f"{plan.get_kind_display()} withdrawn for {partner}: {note}"[:300],
                plan=plan.pk,
            )
            withdrawn += 1
        elif plan.unsupported_note != note:
            RemediationPlan.objects.filter(pk=plan.pk).update(
                unsupported_since=plan.unsupported_since or now, unsupported_note=note
            )
    return withdrawn


def _open_plans(evaluated: list[Evaluated], partner: Partner, month: date, now: datetime) -> int:
    opened = 0
    open_for = set(
        RemediationPlan.objects.filter(
            governed__in=[e.governed for e in evaluated], status=PlanStatus.OPEN
        ).values_list("governed_id", flat=True)
    )
    # Once per landing: a plan already opened for this month (and since closed) is not
    # opened again by the next night's run.
    opened_this_month = set(
        RemediationPlan.objects.filter(
            governed__in=[e.governed for e in evaluated], opened_month=month
        )
        .exclude(status=PlanStatus.WITHDRAWN)  # the data asks for it again: a new plan
        .values_list("governed_id", flat=True)
    )
    for item in evaluated:
        band = item.result.decided_band
        if band is None or not band.opens_remediation:
            continue
        if item.governed.pk in open_for | opened_this_month:
            continue
        kind = PlanKind.REVIEW if item.governed.guardrail else PlanKind.REMEDIATION
        reason = domain.describe(
            item.result, CHANNEL_LABELS[item.governed.channel], with_plan=False
        )[:500]
        RemediationPlan.objects.create(
            partner=partner,
            governed=item.governed,
            channel=item.governed.channel,
            kpi=item.governed.kpi,
            kind=kind,
            opened_month=month,
            opened_at=now,
            reason=reason,
            due_date=clock.local_date(now, partner.account)
            + timedelta(days=item.governed.sla.remediation_days),
        )
        audit_record(
            account=partner.account,
            actor=None,
            action="remediation.opened",
            summary=f"{kind.label} opened for {partner}: {reason}"[:300],
            partner=partner.pk,
        )
        opened += 1
    return opened


def _close_plans(contract: Contract, today: date, now: datetime) -> int:
    closed = 0
    plans = list(
        RemediationPlan.objects.filter(
            governed__sla__contract=contract, status=PlanStatus.OPEN
        ).select_related("governed__sla")
    )
    if not plans:
        return 0
    # The complete months of every planned KPI since its earliest plan, in one query.
    by_governed: dict[int, list[BandStatus]] = defaultdict(list)
    for s in (
        BandStatus.objects.filter(
            governed_id__in=[p.governed_id for p in plans],
            month__gt=min(p.opened_month for p in plans),
            month_complete=True,
        )
        .select_related("band")
        .order_by("month")
    ):
        by_governed[s.governed_id].append(s)
    for plan in plans:
        assert plan.governed is not None  # open plans belong to a governed KPI
        needed = plan.governed.sla.plan_exit_periods
        statuses = [s for s in by_governed[plan.governed_id] if s.month > plan.opened_month]
        recent: list[domain.Band | None] = [
            s.band.spec if s.band is not None and s.decision == domain.Decision.DECIDED else None
            for s in statuses
        ]
        run = 0
        for band in reversed(recent):
            if band is None or not band.at_sla:
                break
            run += 1
        fields: dict[str, Any] = {}
        if run != plan.months_at_sla:
            fields["months_at_sla"] = run
        if domain.plan_can_close(recent, needed):
            fields.update(
                status=PlanStatus.CLOSED,
                closed_at=now,
                closed_reason=f"At SLA for {needed} consecutive month{'s' if needed > 1 else ''}.",
            )
            closed += 1
        if fields:
            RemediationPlan.objects.filter(pk=plan.pk).update(**fields)
    return closed


def evaluate_contract_month(contract: Contract, month: date, today: date) -> Outcome:
    """Band statuses, settlement and remediation plans of one contract and month, written in
    one transaction."""
    period = month_of(month)
    outcome = Outcome()
    # `today` is the account's: a month is complete once its last day is over there.
    now = moment(today, contract.partner.account)
    started = clock.now()  # inputs changed after this are not in this evaluation
    complete = today > period.end
    contract = _with_rates(contract)
    with transaction.atomic():
        # One evaluation per contract at a time; a concurrent one waits here.
        Contract.objects.select_for_update().filter(pk=contract.pk).exists()
        counts = _month_counts(contract.partner_id, period.start)
        evaluated = _evaluate(_governed(contract), counts, period, today)
        outcome.statuses_written = _sync_statuses(contract, evaluated, period.start, complete, now)
        settlement = Settlement.objects.filter(contract=contract, month=period.start).first()
        if settlement is not None and settlement.is_approved:
            latest = _settle(contract, evaluated, counts, period.start, Decimal(0))
            adjustment = latest.net - (settlement.net - settlement.carried)
            _write_lines(settlement, LineBasis.LATEST, latest.lines if adjustment else [])
            latest_fields = _latest_fields(latest if adjustment else None)
            if settlement.adjustment != adjustment or _changed(settlement, latest_fields):
                settlement.adjustment = adjustment
                for name, value in latest_fields.items():
                    setattr(settlement, name, value)
                settlement.adjustment_computed_at = now
                settlement.save(
                    update_fields=["adjustment", *latest_fields, "adjustment_computed_at"]
                )
                outcome.adjustment_changed = True
        else:
            if settlement is None:
                settlement = Settlement(
                    contract=contract, partner_id=contract.partner_id, month=period.start
                )
                settlement.computed_at = now
                settlement.save()
                outcome.settlement_written = True
            carried = _carry_into(settlement)
            result = _settle(contract, evaluated, counts, period.start, carried)
            fields = _settlement_fields(result)
            lines_changed = _write_lines(settlement, LineBasis.SETTLED, result.lines)
            if _changed(settlement, fields) or lines_changed:
                for name, value in fields.items():
                    setattr(settlement, name, value)
                settlement.computed_at = now
                settlement.save()
                outcome.settlement_written = True
        if complete:
            outcome.plans_withdrawn = _review_plans(evaluated, contract.partner, period, now)
            outcome.plans_opened = _open_plans(evaluated, contract.partner, period.start, now)
        outcome.plans_closed = _close_plans(contract, today, now)
        # Current again, unless an input changed while this evaluation ran.
        Settlement.objects.filter(pk=settlement.pk, stale_since__lte=started).update(
            stale_since=None, stale_reason=""
        )
    if outcome.adjustment_changed:
        # The month that carries the adjustment shows it at once, not the next night.
        carrier = (
            Settlement.objects.filter(
                contract=contract, status=SettlementStatus.DRAFT, month__gt=period.start
            )
            .order_by("month")
            .first()
        )
        if carrier is not None:
            evaluate_contract_month(contract, carrier.month, today)
    return outcome


def contracts_for(partner_id: int, month: date) -> list[Contract]:
    period = month_of(month)
    return list(
        Contract.objects.filter(
            partner_id=partner_id, start_date__lte=period.end, end_date__gte=period.start
        ).select_related("partner__account")
    )


def partner_months_evaluate(*, partner_id: int, months: list[date], today: date) -> list[Outcome]:
    """Evaluate every contract of a partner for the given months (each its own transaction)."""
    outcomes = []
    for month in sorted({month_of(m).start for m in months}):
        if month > today:
            continue
        for contract in contracts_for(partner_id, month):
            outcomes.append(evaluate_contract_month(contract, month, today))
    return outcomes


def open_months(today: date) -> list[date]:
    """The months every nightly run evaluates: the current one and the previous one, which
    still receives late data until its settlement is approved."""
    current = month_of(today)
    return [current.previous().start, current.start]


def partner_open_months(partner_id: int, today: date) -> list[date]:
    """The months a partner's nightly run evaluates: the current and previous month, every
    earlier month whose settlement is still a draft, and any month whose figures are out of
    date (an input changed and its re-evaluation has not run yet)."""
    months = set(open_months(today))
    months |= set(
        Settlement.objects.filter(partner_id=partner_id, month__lte=today)
        .filter(Q(status=SettlementStatus.DRAFT) | Q(stale_since__isnull=False))
        .values_list("month", flat=True)
    )
    return sorted(months)


# EXIT CRITERIA
# ------------------------------------------------------------------------------


def _criterion_periods(criterion: ExitCriterion, today: date) -> list[Period]:
    period_type = PeriodType(criterion.period_type)
    first = criterion.contract.start_date
    last = Period.containing(period_type, today).previous().end
    if last < first:
        return []
    return periods_between(period_type, first, last)


def exit_criterion_check(criterion: ExitCriterion, today: date) -> bool:
    """Update the criterion's progress; True when it became met now (and was notified)."""
    contract = criterion.contract
    account = contract.partner.account
    periods = _criterion_periods(criterion, today)
    snapshots = KpiSnapshot.objects.filter(
        partner_id=contract.partner_id,
        agent__isnull=True,
        period_type=criterion.period_type,
        period_start__in=[p.start for p in periods],
    )
    if criterion.channel:
        snapshots = snapshots.filter(channel=criterion.channel)
    by_period: dict[date, list[Counts]] = defaultdict(list)
    for s in snapshots:
        by_period[s.period_start].append(s.counts)
    plans = list(
        RemediationPlan.objects.filter(
            partner_id=contract.partner_id,
            opened_month__gte=contract.start_date.replace(day=1),
            kpi=criterion.kpi,
            kind=PlanKind.REMEDIATION,
            **({"channel": criterion.channel} if criterion.channel else {}),
        )
        .exclude(status=PlanStatus.WITHDRAWN)
        .values_list("opened_month", "closed_at")
    )
    kpi = domain.governable(criterion.kpi)
    rows = []
    for period in periods:
        value: KpiValue | domain.Measured | None = (
            calibration_alignment(contract.partner_id, period, account)
            if criterion.kpi == domain.CALIBRATION
            else kpi_value(criterion.kpi, total(by_period.get(period.start, [])), period)
        )
        during = any(
            opened <= period.end
            and (closed is None or clock.local_date(closed, account) >= period.start)
            for opened, closed in plans
        )
        rows.append(
            domain.ExitPeriod(
                domain.band_unit_value(kpi.unit, value.value if value else None), during
            )
        )
    rule = domain.ExitRule(
        domain.Comparison(criterion.comparison),
        criterion.threshold,
        criterion.periods,
        criterion.despite_remediation,
    )
    streak = domain.exit_streak(rule, rows)
    became_met = streak >= criterion.periods and criterion.met_on is None
    fields: dict[str, Any] = {}
    if streak != criterion.streak:
        fields["streak"] = streak
    if became_met:
        fields["met_on"] = today
    if fields:
        fields["checked_at"] = moment(today, account)
        for name, value in fields.items():
            setattr(criterion, name, value)
        criterion.save(update_fields=list(fields))
    if became_met:
        _notify_exit(criterion)
    return became_met


def _notify_exit(criterion: ExitCriterion) -> None:
    contract = criterion.contract
    partner = contract.partner
    exit_date = criterion.earliest_exit_date
    summary = (
        f"Exit criterion met for {partner}: {criterion.description}. With {contract.notice_days} "
        f"days' notice the earliest exit date is {exit_date:%d %B %Y}."
    )
    audit_record(
        account=partner.account,
        actor=None,
        action="exit_criterion.met",
        summary=summary[:300],
        criterion=criterion.pk,
    )
    emails = list(
        Membership.objects.filter(account=partner.account, role=Role.PROGRAM_MANAGER).values_list(
            "user__email", flat=True
        )
    )
    if emails:
        send_mail(
            f"Keel: exit criterion met for {partner}",
            summary,
            settings.DEFAULT_FROM_EMAIL,
            emails,
        )
    ExitCriterion.objects.filter(pk=criterion.pk).update(notified_at=clock.now())


def exit_criteria_check(*, partner_id: int, today: date) -> int:
    criteria = ExitCriterion.objects.filter(
        contract__partner_id=partner_id, contract__end_date__gte=today - timedelta(days=92)
    ).select_related("contract__partner__account")
    return sum(exit_criterion_check(c, today) for c in criteria)


def partners_with_contracts(today: date) -> list[int]:
    """Partners with a contract running this month or last, or a month still open."""
    first = month_of(today).previous().start
    return list(
        Partner.objects.filter(
            Q(contracts__end_date__gte=first)
            | Q(settlements__status=SettlementStatus.DRAFT)
            | Q(settlements__stale_since__isnull=False)
        )
        .distinct()
        .values_list("pk", flat=True)
    )
