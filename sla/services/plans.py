"""Remediation plans and guardrail reviews: owners, due dates, actions, and closing by hand."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from core import clock
from core.errors import DomainError
from core.scoping import Role, Viewer, ensure_in_scope, require_role
from partners.models import User
from partners.scoping import pickable_member
from partners.services import audit_record
from sla.models import PlanStatus, RemediationPlan


class _Unchanged:
    """An owner argument left out: the plan keeps its owner (None removes it)."""


UNCHANGED = _Unchanged()

# Both sides work on a plan: the buyer's program managers and the partner's QA leads.
PLAN_EDITORS = (Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD)


def plan_update(
    *,
    viewer: Viewer,
    plan: RemediationPlan,
    actions: str | None = None,
    due_date: date | None = None,
    buyer_owner: User | None | _Unchanged = UNCHANGED,
    partner_owner: User | None | _Unchanged = UNCHANGED,
    close_reason: str | None = None,
) -> RemediationPlan:
    """Owners, due date and actions; both sides' QA leads and program managers may edit.
    An owner of None takes the owner off the plan. A program manager may close a plan by
    hand, with a reason."""
    require_role(viewer, PLAN_EDITORS, what="update remediation plans")
    ensure_in_scope(plan, viewer)
    for user, side in ((buyer_owner, "buyer"), (partner_owner, "partner")):
        if not isinstance(user, User):
            continue
        # The buyer's people and the plan's partner's people may own it; nobody else.
        membership = pickable_member(viewer, user, field=f"{side}_owner", partner=plan.partner_id)
        assert membership is not None  # a user was given
        if side == "buyer" and membership.partner_id is not None:
            raise DomainError(f"{user} works for a partner, not the buyer.", field="buyer_owner")
        if side == "partner" and membership.partner_id != plan.partner_id:
            raise DomainError(
                f"The partner owner must work for {plan.partner}.", field="partner_owner"
            )
    fields = []
    if actions is not None:
        plan.actions = actions
        fields.append("actions")
    if due_date is not None:
        plan.due_date = due_date
        fields.append("due_date")
    if not isinstance(buyer_owner, _Unchanged) and buyer_owner != plan.buyer_owner:
        plan.buyer_owner = buyer_owner
        fields.append("buyer_owner")
    if not isinstance(partner_owner, _Unchanged) and partner_owner != plan.partner_owner:
        plan.partner_owner = partner_owner
        fields.append("partner_owner")
    if close_reason:
        require_role(viewer, (Role.PROGRAM_MANAGER,), what="close plans by hand")
        if plan.status != PlanStatus.OPEN:
            raise DomainError("This plan is already closed.", code="closed")
        plan.status = PlanStatus.CLOSED
        plan.closed_at = clock.now()
        plan.closed_reason = close_reason[:300]
        fields += ["status", "closed_at", "closed_reason"]
    if not fields:
        return plan
    with transaction.atomic():
        plan.save(update_fields=fields)
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="remediation.updated",
            summary=f"Updated {plan} of {plan.partner}"[:300],
            plan=plan.pk,
        )
    return plan


def member_user(viewer: Viewer, user_id: int | None, field: str) -> User | None:
    """A user the viewer may pick as an owner, by id (`partners.scoping.pickable_member`):
    the buyer's people and, for a partner-side viewer, its own partner's, nobody else's.
    None passes: an owner taken off."""
    membership = pickable_member(viewer, user_id, field=field)
    return membership.user if membership is not None else None
