"""HTML views of cost per resolved contact: a partner's loaded monthly cost per channel (the
invoice's headline charges, the contract's loaded-cost components, the buyer's own
governance cost) against resolved contacts and the in-house baseline, with the pricing
what-if; and one row per partner across the account.

Buyer-side money: program managers and executives only (a partner user gets a 403). Reads
come through `engagements.selectors`, the partner through `partners.scoping`; the tables
are shaped by `engagements.viewmodels` and the figures drawn by `engagements.charts`.
"""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from core.scoping import get_scoped_or_404, scope
from engagements import selectors
from engagements.charts import cost_figure, trend_figure
from engagements.models import ScopeVersion
from engagements.viewmodels import month_rows, partner_cost_row
from kpis.periods import Period, PeriodType
from partners.mixins import ViewerRequiredMixin
from partners.models import Channel, Partner, Role

CHANNEL_LABELS = dict(Channel.choices)
COST_ROLES = {Role.PROGRAM_MANAGER, Role.EXECUTIVE}
OVERVIEW_MONTHS = 6


class PartnerCostView(ViewerRequiredMixin, TemplateView):
    """A partner's cost per resolved contact over the last 12 complete months, per channel,
    against the in-house team's; and last quarter priced under each pricing model."""

    template_name = "engagements/costs.html"
    allowed_roles = COST_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = context["today"]
        partner = get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])
        view = selectors.costs(self.viewer, partner, today, months=12)
        figure = cost_figure(view)
        context.update(
            partner=partner,
            cost=view,
            rows=month_rows(view),
            channel_labels=[CHANNEL_LABELS.get(c, c) for c in view.channels],
            in_house=[
                (CHANNEL_LABELS.get(c, c), v) for c, v in view.in_house.items() if v is not None
            ],
            has_scope=scope(ScopeVersion, self.viewer).filter(partner=partner).exists(),
            what_if=selectors.what_if(self.viewer, partner, today),
            last_quarter=Period.containing(PeriodType.QUARTER, today).previous(),
            charts={"cost-trend": figure} if figure else {},
        )
        return context


class CostOverviewView(ViewerRequiredMixin, TemplateView):
    """One row per outsourcing partner: the latest month's cost per resolved contact, the
    in-house baseline, and the last six months. A fixed number of queries per partner
    (partners are few), however many months, channels and settlements."""

    template_name = "engagements/cost_overview.html"
    allowed_roles = COST_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = context["today"]
        rows = [
            partner_cost_row(
                partner, selectors.costs(self.viewer, partner, today, months=OVERVIEW_MONTHS)
            )
            for partner in scope(Partner, self.viewer).filter(in_house=False).order_by("name")
        ]
        context.update(
            rows=rows,
            months=OVERVIEW_MONTHS,
            charts={
                f"cost-spark-{row.partner.pk}": trend_figure(row.trend)
                for row in rows
                if any(v is not None for _, v in row.trend)
            },
        )
        return context
