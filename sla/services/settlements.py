"""Settlements: recomputing a month on the latest data, and approving a complete one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from core import clock
from core.errors import DomainError
from core.scoping import Viewer, ensure_in_scope, require_role
from partners.services import audit_record
from sla.evaluation import Outcome, evaluate_contract_month, month_of
from sla.models import Settlement, SettlementStatus
from sla.services.common import CHANGE_CONTRACTS, PROGRAM_MANAGERS


def _check_not_approved(settlement: Settlement) -> None:
    if settlement.is_approved:
        raise DomainError(
            f"{settlement} was already approved by {settlement.approved_by_label} on "
            f"{settlement.approved_at:%d %B %Y}.",
            code="already_approved",
        )


def settlement_approve(*, viewer: Viewer, settlement: Settlement, today: date) -> Settlement:
    """Freeze a month's settlement. Only complete months are approved, on their latest
    data (recomputed here first, so that what is approved is what the data says now)."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(settlement, viewer)
    settlement.refresh_from_db()
    _check_not_approved(settlement)
    if today <= month_of(settlement.month).end:
        raise DomainError(
            f"{settlement.month:%B %Y} is not over yet: approve it once the month has ended.",
            code="month_open",
        )
    evaluate_contract_month(settlement.contract, settlement.month, today)
    with transaction.atomic():
        locked = Settlement.objects.select_for_update().get(pk=settlement.pk)
        _check_not_approved(locked)
        locked.status = SettlementStatus.APPROVED
        locked.approved_by = viewer.user
        locked.approved_by_label = viewer.label
        locked.approved_at = clock.now()
        locked.save(update_fields=["status", "approved_by", "approved_by_label", "approved_at"])
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="settlement.approved",
            summary=(
                f"Approved the settlement of {locked}: net {locked.net:,.2f} {locked.currency}"
            ),
            settlement=locked.pk,
        )
    return locked


@dataclass(frozen=True)
class Recomputed:
    """What recomputing a settlement changed (`outcome`), and the sentence that says so."""

    settlement: Settlement
    outcome: Outcome

    @property
    def message(self) -> str:
        """'Recomputed on the latest data: the settlement changed.', and the plans it opened
        or closed. An approved month stays frozen: its pending adjustment is what changes."""
        outcome = self.outcome
        if self.settlement.is_approved:
            text = (
                "Recomputed on the latest data: the pending adjustment changed."
                if outcome.adjustment_changed
                else "Recomputed on the latest data: the pending adjustment is unchanged."
            )
        else:
            text = (
                "Recomputed on the latest data: the settlement changed."
                if outcome.settlement_written
                else "Recomputed on the latest data: nothing changed."
            )
        if outcome.plans_opened or outcome.plans_closed:
            text += (
                f" Remediation plans opened: {outcome.plans_opened}, "
                f"closed: {outcome.plans_closed}."
            )
        return text


def settlement_recompute(*, viewer: Viewer, settlement: Settlement, today: date) -> Recomputed:
    """Evaluate a settlement's month again now, as the nightly run would (band statuses,
    the draft or an approved month's pending adjustment, remediation plans). `today` is the
    account's date; a month that has not started yet has nothing to recompute."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(settlement, viewer)
    if settlement.month > today:
        raise DomainError(
            f"{settlement.month:%B %Y} has not started yet.", code="month_not_started"
        )
    outcome = evaluate_contract_month(settlement.contract, settlement.month, today)
    return Recomputed(settlement, outcome)
