"""A partner's month in money: one line per governed KPI and channel, each band's credit or
bonus a share of its own channel's invoice, and the totals capped at the contract's at-risk
and bonus shares of the month's whole invoice (docs/sla.md, "Settlements")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sla.domain.bands import Band
from sla.domain.numbers import HUNDRED, ZERO, format_money, plain_number, round_money
from sla.domain.rate_cards import Invoice
from sla.domain.standing import (
    BandResult,
    Decision,
    at_risk_note,
    describe,
    measured_text,
    result_value,
    where_text,
)


@dataclass(frozen=True)
class LineInput:
    channel: str
    channel_label: str
    result: BandResult
    guardrail: bool = False


@dataclass(frozen=True)
class Line:
    channel: str
    kpi: str
    value: Decimal | None
    sample: int
    band: Band | None
    decision: Decision
    at_risk: bool
    guardrail: bool
    credit: Decimal
    bonus: Decimal
    opens_plan: bool
    explanation: str
    value_text: str = ""  # the value as the explanation prints it ('81.996%')


@dataclass(frozen=True)
class Settlement:
    currency: str
    invoices: dict[str, Invoice]
    invoice_total: Decimal
    lines: list[Line]
    credit_gross: Decimal
    credit_cap: Decimal
    credit_total: Decimal  # after the at-risk cap
    bonus_gross: Decimal
    bonus_cap: Decimal
    bonus_total: Decimal  # after the bonus cap
    carried: Decimal = ZERO  # adjustments carried in from approved earlier months
    notes: list[str] = field(default_factory=list)

    @property
    def net(self) -> Decimal:
        """What the buyer pays: the invoice less credits, plus bonuses and carried amounts."""
        return self.invoice_total - self.credit_total + self.bonus_total + self.carried


def band_amount(band: Band, invoice: Decimal, minor_digits: int) -> Decimal:
    """The credit (or bonus) a band moves on one channel's invoice, before the month's caps:
    its share of that invoice, rounded once to the currency's minor unit."""
    return round_money(invoice * (band.credit_pct or band.bonus_pct) / HUNDRED, minor_digits)


def _line(item: LineInput, invoice: Invoice, currency: str, minor_digits: int) -> Line:
    result = item.result
    kpi = result.kpi
    channel = item.channel_label.lower()
    credit = bonus = ZERO
    band = result.band
    opens = False
    measured = measured_text(result, item.channel_label)
    if result.decision is Decision.NO_DATA:
        text = f"{measured}: no data this month, no money moves"
    elif result.decision is Decision.INSUFFICIENT:
        text = describe(result, item.channel_label) + ", no money moves"
    else:
        assert band is not None
        consequences = []
        opens = band.opens_remediation
        if opens:
            consequences.append("review opened" if item.guardrail else "plan opened")
        if item.guardrail:
            consequences.append("no credit (guardrail)")
        elif band.credit_pct or band.bonus_pct:
            pct = band.credit_pct or band.bonus_pct
            amount = band_amount(band, invoice.amount, minor_digits)
            if band.credit_pct:
                credit = amount
            else:
                bonus = amount
            consequences.append(
                f"{'credit' if band.credit_pct else 'bonus'} {plain_number(pct)}% of the "
                f"{channel} invoice {format_money(invoice.amount, currency, minor_digits)} = "
                f"{format_money(amount, currency, minor_digits)}"
            )
        else:
            consequences.append("no credit")
        text = f"{measured} is in {where_text(result)}: {', '.join(consequences)}"
        text += at_risk_note(result)
    shown = result_value(result)
    return Line(
        item.channel, kpi.key, result.value, result.sample, band, result.decision,
        result.at_risk, item.guardrail, credit, bonus, opens, text,
        value_text=shown.number if shown else "",
    )  # fmt: skip


def settle(
    *,
    invoices: Mapping[str, Invoice],
    items: Sequence[LineInput],
    credit_cap_pct: Decimal,
    bonus_cap_pct: Decimal,
    currency: str,
    minor_digits: int,
    carried: Decimal = ZERO,
) -> Settlement:
    """One partner's month: a line per governed KPI and channel, and totals after the caps.

    The month's invoice is the sum of the channels' invoices (each the sum of its rate-card
    lines). A band's credit or bonus is a share of its own channel's invoice; the totals of
    credits and of bonuses are then capped at the contract's at-risk share and bonus share
    of the month's whole invoice (docs/sla.md, "Settlements").
    """
    for item in items:
        if item.channel not in invoices:
            raise ValueError(f"No invoice for channel {item.channel}.")
    lines = [_line(item, invoices[item.channel], currency, minor_digits) for item in items]
    invoice_total = sum((inv.amount for inv in invoices.values()), ZERO)
    credit_gross = sum((line.credit for line in lines), ZERO)
    bonus_gross = sum((line.bonus for line in lines), ZERO)
    credit_cap = round_money(invoice_total * credit_cap_pct / HUNDRED, minor_digits)
    bonus_cap = round_money(invoice_total * bonus_cap_pct / HUNDRED, minor_digits)
    credit_total = min(credit_gross, credit_cap)
    bonus_total = min(bonus_gross, bonus_cap)
    notes = []
    whole = format_money(invoice_total, currency, minor_digits)
    for label, gross, cap, pct in (
        ("Credits", credit_gross, credit_cap, credit_cap_pct),
        ("Bonuses", bonus_gross, bonus_cap, bonus_cap_pct),
    ):
        if gross > cap:
            notes.append(
                f"{label} of {format_money(gross, currency, minor_digits)} are capped at "
                f"{plain_number(pct)}% of the invoice {whole}: "
                f"{format_money(cap, currency, minor_digits)}."
            )
    for channel, invoice in invoices.items():
        if invoice.missing == "rate":
            notes.append(
                f"The {channel} invoice is 0: {invoice.explanation}, so its credits and "
                "bonuses are 0 too; add the rate to settle it."
            )
        elif invoice.missing:
            notes.append(
                f"The {channel} invoice is 0: {invoice.explanation}; enter them to settle it."
            )
    return Settlement(
        currency=currency,
        invoices=dict(invoices),
        invoice_total=invoice_total,
        lines=lines,
        credit_gross=credit_gross,
        credit_cap=credit_cap,
        credit_total=credit_total,
        bonus_gross=bonus_gross,
        bonus_cap=bonus_cap,
        bonus_total=bonus_total,
        carried=carried,
        notes=notes,
    )
