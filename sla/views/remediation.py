"""HTML views for remediation plans: the board (per partner: overdue, open, and closed recently
folded away) and one plan, which program managers and partner QA leads edit. Thin:
`sla.selectors` reads, `sla.services` writes, `partners.scoping` decides what is visible."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from partners.mixins import DomainFormMixin, ViewerRequiredMixin
from partners.models import Role
from sla import selectors, services
from sla.forms import PlanFilterForm, PlanForm
from sla.models import PlanStatus, RemediationPlan

PLAN_EDITORS = {Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD}


class RemediationBoardView(ViewerRequiredMixin, TemplateView):
    template_name = "sla/remediation_board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = PlanFilterForm(self.request.GET or None, viewer=self.viewer)
        board = selectors.plans_board(
            self.viewer,
            status=form.value("status") or None,
            partner=form.value("partner"),
            today=context["today"],
        )
        context.update(
            form=form,
            board=board,
            groups=board.by_partner(),
            # Asked for the closed plans: they show unfolded.
            expand_closed=board.shown == {selectors.CLOSED},
            closed_days=selectors.CLOSED_RECENTLY_DAYS,
        )
        return context


class PlanDetailView(ViewerRequiredMixin, DomainFormMixin, FormView):
    """A plan with its history; program managers and partner QA leads edit it here."""

    template_name = "sla/plan_detail.html"
    form_class = PlanForm

    @cached_property
    def plan(self) -> RemediationPlan:
        return selectors.plan_detail(self.viewer, self.kwargs["pk"])

    @property
    def can_edit(self) -> bool:
        return (
            self.viewer.role in PLAN_EDITORS
            and not self.viewer.read_only
            and self.plan.status == PlanStatus.OPEN
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "viewer": self.viewer, "plan": self.plan}

    def get_initial(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "actions": plan.actions,
            "due_date": plan.due_date,
            "buyer_owner": plan.buyer_owner_id,
            "partner_owner": plan.partner_owner_id,
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.can_edit:
            if self.viewer.role in PLAN_EDITORS and self.plan.status != PlanStatus.OPEN:
                messages.error(request, "This plan is closed: it can no longer be edited.")
                return redirect("sla:plan-detail", pk=self.plan.pk)
            raise PermissionDenied("Program managers and partner QA leads edit remediation plans.")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan = self.plan
        context.update(
            plan=plan,
            needed=plan.governed.sla.plan_exit_periods if plan.governed else None,
            history=selectors.plan_history(self.viewer, plan),
            can_edit=self.can_edit,
            overdue=plan.status == PlanStatus.OPEN and plan.due_date < context["today"],
        )
        return context

    def perform(self, form: PlanForm) -> HttpResponse:
        data = form.cleaned_data
        services.plan_update(
            viewer=self.viewer,
            plan=self.plan,
            actions=data["actions"],
            due_date=data["due_date"],
            # A field the viewer is not offered leaves that owner as it is.
            buyer_owner=(
                data.get("buyer_owner") if "buyer_owner" in form.fields else services.UNCHANGED
            ),
            partner_owner=(
                data.get("partner_owner") if "partner_owner" in form.fields else services.UNCHANGED
            ),
            close_reason=(data.get("close_reason") or "").strip() or None,
        )
        messages.success(
            self.request,
            f"Closed {self.plan}."
            if self.plan.status == PlanStatus.CLOSED
            else f"Saved {self.plan}.",
        )
        return redirect("sla:plan-detail", pk=self.plan.pk)
