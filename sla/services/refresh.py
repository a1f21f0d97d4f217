"""Drafts follow their inputs: a change to anything a settlement is computed from marks
the months it reaches out of date and re-evaluates them in the background (docs/sla.md,
"Drafts follow their inputs")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from core import clock
from kpis.snapshots import partner_zone
from sla.evaluation import month_of
from sla.models import Contract, Settlement, SettlementStatus
from sla.tasks import sla_evaluate_partner_task


def settlements_refresh(
    *, partner_id: int, months: Iterable[date], reason: str, contract: Contract | None = None
) -> list[date]:
    """An input of these months changed: mark their settlements out of date now, in the
    change's transaction, and re-evaluate them in the background once it commits (the
    evaluation clears the mark). Approved months among them get a fresh pending adjustment.
    Returns the months queued."""
    today = clock.today(partner_zone(partner_id))  # the account's date
    firsts = sorted({month_of(m).start for m in months if month_of(m).start <= today})
    if not firsts:
        return []
    settlements = Settlement.objects.filter(
        partner_id=partner_id, month__in=firsts, stale_since__isnull=True
    )
    if contract is not None:
        settlements = settlements.filter(contract=contract)
    settlements.update(stale_since=clock.now(), stale_reason=reason[:200])
    queued = [m.isoformat() for m in firsts]
    transaction.on_commit(
        lambda: sla_evaluate_partner_task.delay(partner_id, queued, today.isoformat())
    )
    return firsts


def contract_open_months(contract: Contract) -> list[date]:
    """The months a change of the contract's terms (rates, caps, bands) reaches: every month
    not yet approved, from its drafts to the current month. Approved months stay as they
    were settled."""
    today = clock.today(contract.partner.account)
    first, last = contract.months
    last = min(last, month_of(today).start)
    approved = set(
        contract.settlements.filter(status=SettlementStatus.APPROVED).values_list(
            "month", flat=True
        )
    )
    drafts = set(
        contract.settlements.filter(status=SettlementStatus.DRAFT).values_list("month", flat=True)
    )
    recent = {month_of(today).previous().start, month_of(today).start}
    return sorted(m for m in drafts | recent if first <= m <= last and m not in approved)


def contract_changed(contract: Contract, reason: str) -> None:
    settlements_refresh(
        partner_id=contract.partner_id,
        months=contract_open_months(contract),
        reason=reason,
        contract=contract,
    )
