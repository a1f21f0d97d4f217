"""HTML views for settlements and the remediation board. Thin: `sla.selectors` reads,
`sla.services` and `sla.evaluation` write, `partners.scoping` decides what is visible."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from core import clock
from core.errors import DomainError
from core.scoping import Viewer, get_scoped_or_404, scope
from partners.mixins import DomainFormMixin, ProgramManagerMixin, ViewerRequiredMixin, paginate
from partners.models import Partner, Role, User
from sla import selectors, services
from sla.evaluation import evaluate_contract_month, month_of
from sla.models import PlanStatus, RemediationPlan, Settlement

PLAN_EDITORS = {Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD}


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class _PartnerFilterForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, empty_label="All partners"
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = scope(Partner, viewer)  # type: ignore[attr-defined]

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


# SETTLEMENTS
# ------------------------------------------------------------------------------


class SettlementFilterForm(_PartnerFilterForm):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *selectors.SETTLEMENT_FILTERS], required=False
    )


class SettlementListView(ViewerRequiredMixin, TemplateView):
    template_name = "sla/settlement_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = SettlementFilterForm(self.request.GET or None, viewer=self.viewer)
        settlements = selectors.settlements_list(
            self.viewer, partner=form.value("partner"), status=form.value("status") or None
        )
        context.update(
            form=form,
            page=paginate(self.request, settlements, 25),
            query=_query_without_page(self.request),
        )
        return context


class SettlementDetailView(ViewerRequiredMixin, TemplateView):
    template_name = "sla/settlement_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        detail = selectors.settlement_detail(self.viewer, self.kwargs["pk"])
        settlement = detail.settlement
        is_pm = self.viewer.has_role(Role.PROGRAM_MANAGER) and not self.viewer.read_only
        context.update(
            detail=detail,
            settlement=settlement,
            currency=settlement.currency or settlement.contract.currency,
            can_approve=is_pm and not settlement.is_approved,
            can_recompute=is_pm,
            month_over=context["today"] > month_of(settlement.month).end,
        )
        return context


class _SettlementActionView(ProgramManagerMixin, View):
    """A program manager's POST on one settlement; a broken rule becomes a message."""

    def settlement(self, pk: int) -> Settlement:
        return get_scoped_or_404(
            Settlement.objects.select_related("contract__partner", "partner"), self.viewer, pk=pk
        )


class SettlementApproveView(_SettlementActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        settlement = self.settlement(pk)
        try:
            approved = services.settlement_approve(
                viewer=self.viewer, settlement=settlement, today=clock.today(self.viewer.account)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Approved the settlement of {approved}: it is frozen now. Later data for "
                f"{approved.month:%B %Y} shows as a pending adjustment.",
            )
        return redirect("sla:settlement-detail", pk=pk)


class SettlementRecomputeView(_SettlementActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        settlement = self.settlement(pk)
        today = clock.today(self.viewer.account)
        if settlement.month > today:
            messages.error(request, f"{settlement.month:%B %Y} has not started yet.")
            return redirect("sla:settlement-detail", pk=pk)
        try:
            outcome = evaluate_contract_month(settlement.contract, settlement.month, today)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("sla:settlement-detail", pk=pk)
        if settlement.is_approved:
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
        messages.success(request, text)
        return redirect("sla:settlement-detail", pk=pk)


# REMEDIATION
# ------------------------------------------------------------------------------


class PlanFilterForm(_PartnerFilterForm):
    status = forms.ChoiceField(
        choices=[("", "Open, overdue and recently closed"), *selectors.BOARD_COLUMNS],
        required=False,
    )


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
        context.update(form=form, board=board, closed_days=selectors.CLOSED_RECENTLY_DAYS)
        return context


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.display_name


class PlanForm(forms.Form):
    """Owners, due date and actions of a plan; program managers may also close it."""

    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="What each side will do, and by when.",
    )
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    buyer_owner = _UserChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody yet"
    )
    partner_owner = _UserChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody yet"
    )
    close_reason = forms.CharField(
        max_length=300,
        required=False,
        label="Close with reason",
        help_text="Program managers only: closes the plan now, with this reason.",
    )

    def __init__(self, *args: Any, viewer: Viewer, plan: RemediationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices come from the plan, itself scoped to the viewer: the account's buyer-side
        # members, and the members of the plan's own partner. Memberships are buyer-only data,
        # so a partner user picks among its own colleagues and does not see the buyer's list.
        # One filter() per set of members: both conditions hold for the same membership.
        order = ("first_name", "last_name", "email")
        self.fields["partner_owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__account_id=viewer.account_id, memberships__partner_id=plan.partner_id
        ).order_by(*order)
        if viewer.is_buyer_side:
            self.fields["buyer_owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
                memberships__account_id=viewer.account_id, memberships__partner__isnull=True
            ).order_by(*order)
        else:
            del self.fields["buyer_owner"]
        if viewer.role != Role.PROGRAM_MANAGER:
            del self.fields["close_reason"]


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
