"""A month's settlement: the invoices from the rate card and the month's volumes, the
lines and totals of `sla.domain.settle`, and the adjustments approved months carry into the
next draft."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from core import clock
from kpis.domain import Counts
from kpis.models import Interaction
from kpis.periods import Period
from sla import domain
from sla.currency import minor_digits
from sla.evaluation.diff import changed
from sla.evaluation.inputs import CHANNEL_LABELS, Evaluated, month_of
from sla.models import CarriedAdjustment, Contract, Settlement, SettlementLine, SettlementStatus


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


def write_lines(settlement: Settlement, basis: str, lines: list[domain.Line]) -> bool:
    wanted = [_line_fields(line, i, basis) for i, line in enumerate(lines)]
    stored = list(settlement.lines.filter(basis=basis).order_by("position"))
    if len(stored) == len(wanted) and not any(
        changed(s, w) for s, w in zip(stored, wanted, strict=True)
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


def settle_month(
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


def settlement_fields(result: domain.Settlement) -> dict[str, Any]:
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


def latest_data_fields(latest: domain.Settlement | None) -> dict[str, Any]:
    """An approved month on the latest data, as far as its adjustment needs it."""
    if latest is None:
        return {
            "latest_net": None, "latest_invoices": {}, "latest_invoice_total": None,
            "latest_credit_total": None, "latest_bonus_total": None,
        }  # fmt: skip
    return {
        "latest_net": latest.net,
        "latest_invoices": settlement_fields(latest)["invoices"],
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


def carry_into(draft: Settlement) -> Decimal:
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
