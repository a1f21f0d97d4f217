"""HTML views for settlements: the list, one month's settlement, and a program manager's
buttons on it (approve, recompute). Thin: `sla.selectors` reads, `sla.services` and
`sla.evaluation` write, `partners.scoping` decides what is visible."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from core import clock
from core.scoping import get_scoped_or_404
from partners.mixins import ActionView, ProgramManagerMixin, ViewerRequiredMixin, paginate
from partners.models import Role
from sla import selectors, services
from sla.evaluation import month_of
from sla.forms import SettlementFilterForm
from sla.models import Settlement


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


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


class _SettlementActionView(ProgramManagerMixin, ActionView):
    """A program manager's button on one settlement, back to its page; a broken rule
    becomes a message."""

    @cached_property
    def settlement(self) -> Settlement:
        return get_scoped_or_404(
            Settlement.objects.select_related("contract__partner", "partner"),
            self.viewer,
            pk=self.kwargs["pk"],
        )

    def redirect_url(self, **kwargs: Any) -> str:
        return reverse("sla:settlement-detail", kwargs={"pk": self.kwargs["pk"]})


class SettlementApproveView(_SettlementActionView):
    def act(self, **kwargs: Any) -> str:
        approved = services.settlement_approve(
            viewer=self.viewer, settlement=self.settlement, today=clock.today(self.viewer.account)
        )
        return (
            f"Approved the settlement of {approved}: it is frozen now. Later data for "
            f"{approved.month:%B %Y} shows as a pending adjustment."
        )


class SettlementRecomputeView(_SettlementActionView):
    def act(self, **kwargs: Any) -> str:
        return services.settlement_recompute(
            viewer=self.viewer, settlement=self.settlement, today=clock.today(self.viewer.account)
        ).message
