"""The QBR's tables as CSV: each table of the page, for every partner of the quarter (or
one), with numbers as numbers and the currency in a column of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from home.domain import Layer
from home.selectors import Governance, PartnerQuarter
from sla.currency import minor_digits
from sla.domain import round_money

Rows = Iterator[Sequence[Any]]


def _amount(value: Decimal | None, currency: str | None) -> Decimal | str:
    """Money rounded to its currency's minor unit, as the pages show it."""
    if value is None or not currency:
        return ""
    return round_money(value, minor_digits(currency))


def _summary(reviews: list[PartnerQuarter]) -> Rows:
    for r in reviews:
        settled = bool(r.settled) and bool(r.currency)
        names = ("invoice_total", "credit_total", "bonus_total", "net")
        figures = [_amount(r.total(n), r.currency) if settled else "" for n in names]
        ended = "; ".join(f"{kind} {n}" for kind, n in sorted(r.band_counts().items()))
        yield [r.partner.name, r.currency, *figures, ended]


def _kpis(reviews: list[PartnerQuarter]) -> Rows:
    for r in reviews:
        for row in r.kpis:
            for cell in row.months:
                s = cell.status
                yield [r.partner.name, row.channel_label, row.kpi_label, cell.month,
                       s.value_text if s else "", s.band_label if s else "",
                       s.sample if s else "", s.decision if s else "not evaluated"]  # fmt: skip


def _money(reviews: list[PartnerQuarter]) -> Rows:
    for r in reviews:
        for m in r.money:
            for s in m.settlements:
                names = ("invoice_total", "credit_total", "bonus_total", "net")
                money = [_amount(getattr(s, n), s.currency) for n in names]
                yield [r.partner.name, m.month, s.contract.name, s.currency, *money, s.status]


def _cost(reviews: list[PartnerQuarter]) -> Rows:
    for r in reviews:
        if r.cost is None:
            continue
        for month in r.months:
            total = r.cost.totals.get(month)
            if total is not None:
                currency = r.cost.currency
                yield [r.partner.name, month, currency, _amount(total.loaded, currency),
                       _amount(total.governance, currency), total.resolved,
                       _amount(total.per_resolved, currency)]  # fmt: skip


def _plans(reviews: list[PartnerQuarter]) -> Rows:
    for r in reviews:
        for item in r.plans:
            plan = item.plan
            state = ("opened and closed" if item.opened and item.closed else "opened"
                     if item.opened else "closed" if item.closed else "still open")  # fmt: skip
            yield [r.partner.name, plan.get_kpi_display(), plan.get_channel_display(),
                   plan.get_kind_display(), plan.opened_month, state, plan.due_date,
                   plan.closed_reason]  # fmt: skip


def _exits(reviews: list[PartnerQuarter]) -> Rows:
    for r in reviews:
        for c in r.exits:
            yield [r.partner.name, c.description, c.streak, c.periods, c.met_on or "",
                   c.earliest_exit_date or ""]  # fmt: skip


def _calibration(reviews: list[PartnerQuarter]) -> Rows:
    for r in reviews:
        for point in r.sessions:
            s = point.session
            agreement = (s.agreement * 100).quantize(Decimal("0.1")) if s.agreement else ""
            yield [r.partner.name, s.revealed_at.date() if s.revealed_at else "", agreement,
                   s.bias if s.bias is not None else ""]  # fmt: skip


def _actions(reviews: list[PartnerQuarter]) -> Rows:
    for r in reviews:
        for which, items in (("this quarter", r.items), ("previous quarter", r.previous_items)):
            for i in items:
                yield [r.partner.name, which, i.description, i.get_side_display(),
                       i.owner.display_name, i.due_date, i.get_status_display(),
                       i.outcome]  # fmt: skip


TABLES: dict[str, tuple[list[str], Callable[[list[PartnerQuarter]], Rows]]] = {
    "summary": (["partner", "currency", "invoiced", "credits", "bonuses", "net",
                 "kpis at quarter end"], _summary),
    "kpis": (["partner", "channel", "kpi", "month", "value", "band", "sample", "decision"],
             _kpis),
    "settlements": (["partner", "month", "contract", "currency", "invoice", "credits",
                     "bonuses", "net", "status"], _money),
    "cost": (["partner", "month", "currency", "loaded cost", "governance", "resolved",
              "per resolved"], _cost),
    "plans": (["partner", "kpi", "channel", "kind", "opened", "in the quarter", "due",
               "closed because"], _plans),
    "exits": (["partner", "criterion", "consecutive periods now", "periods needed", "met on",
               "earliest exit"], _exits),
    "calibration": (["partner", "revealed", "agreement %", "bias (partner - buyer)"],
                    _calibration),
    "actions": (["partner", "review", "action", "side", "owner", "due", "status", "outcome"],
                _actions),
}  # fmt: skip


def table(name: str, reviews: list[PartnerQuarter]) -> tuple[list[str], Rows]:
    """The header and rows of one QBR table; KeyError for a table the QBR does not have."""
    header, rows = TABLES[name]
    return header, rows(reviews)


# THE ONE-PARTNER PAGE'S TABLES
# ------------------------------------------------------------------------------


def _discipline(review: PartnerQuarter, records: Governance, layers: list[Layer]) -> Rows:
    d = records.discipline
    if d is None:
        return
    name = review.partner.name
    yield [name, "in scope", "", "", "", d.discipline.in_scope, d.share]
    for o in d.out_of_scope:
        yield [name, o.channel, o.type_name, o.shift, o.reason, o.contacts, o.share]


def _cadence(review: PartnerQuarter, records: Governance, layers: list[Layer]) -> Rows:
    for row in records.cadence:
        held = ("on time" if row.on_time else "late" if row.held_on
                else "within its grace days" if row.pending else "not held")  # fmt: skip
        yield [review.partner.name, row.session.due_date, row.session.get_status_display(),
               row.held_on or "", held]  # fmt: skip


def _health(review: PartnerQuarter, records: Governance, layers: list[Layer]) -> Rows:
    for layer in layers:
        score = (
            "not scored"
            if layer.healthy is None
            else "healthy"
            if layer.healthy
            else ("not healthy")
        )
        yield [review.partner.name, layer.name, layer.check, score, layer.evidence, layer.by]


PartnerRows = Callable[[PartnerQuarter, Governance, list[Layer]], Rows]

PARTNER_TABLES: dict[str, tuple[list[str], PartnerRows]] = {
    "discipline": (["partner", "channel", "interaction type", "shift", "why out of scope",
                    "contacts", "share %"], _discipline),
    "cadence": (["partner", "due", "status", "revealed", "held"], _cadence),
    "health": (["partner", "layer", "healthy when", "score", "evidence", "scored by"],
               _health),
}  # fmt: skip


def partner_table(
    name: str, review: PartnerQuarter, records: Governance, layers: list[Layer]
) -> tuple[list[str], Rows]:
    """The header and rows of a table of one partner's QBR page."""
    header, rows = PARTNER_TABLES[name]
    return header, rows(review, records, layers)
