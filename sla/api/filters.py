"""Query filters of the SLA endpoints. Every reference filter offers only the caller's own
objects (`scoped_choices`), so that another tenant's id is refused like an unknown one."""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import QuerySet

from partners.api.scoped import scoped_choices
from partners.models import Channel, Partner
from sla.models import (
    BandStatus,
    Contract,
    ExitCriterion,
    Heading,
    PricingModel,
    RemediationPlan,
    Settlement,
    Sla,
)

# "On course" is stored as an empty heading, which django-filter reads as "no filter".
HEADINGS = [(value, label) for value, label in Heading.choices if value]


class ContractFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    active_on = django_filters.DateFilter(
        method="filter_active_on", label="Contracts running on this day"
    )
    pricing_model = django_filters.ChoiceFilter(
        choices=PricingModel.choices,
        method="filter_pricing_model",
        label="Contracts with a rate-card line on this pricing model",
    )
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices,
        field_name="rates__channel",
        distinct=True,
        label="Contracts whose rate card prices this channel",
    )

    class Meta:
        model = Contract
        fields = ["partner", "currency"]

    def filter_pricing_model(
        self, queryset: QuerySet[Contract], name: str, value: str
    ) -> QuerySet[Contract]:
        return queryset.filter(rates__pricing_model=value).distinct()

    def filter_active_on(
        self, queryset: QuerySet[Contract], name: str, value: date
    ) -> QuerySet[Contract]:
        return queryset.filter(start_date__lte=value, end_date__gte=value)


class SlaFilter(django_filters.FilterSet):
    contract = django_filters.ModelChoiceFilter(queryset=scoped_choices(Contract))
    partner = django_filters.ModelChoiceFilter(
        field_name="contract__partner", queryset=scoped_choices(Partner)
    )

    class Meta:
        model = Sla
        fields = ["contract", "partner"]


class BandStatusFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    month_after = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_before = django_filters.DateFilter(field_name="month", lookup_expr="lte")
    heading = django_filters.ChoiceFilter(choices=HEADINGS)

    class Meta:
        model = BandStatus
        fields = ["partner", "channel", "kpi", "month", "heading", "at_risk", "decision"]


class SettlementFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    contract = django_filters.ModelChoiceFilter(queryset=scoped_choices(Contract))
    month_after = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_before = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = Settlement
        fields = ["partner", "contract", "month", "status"]


class RemediationPlanFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))

    class Meta:
        model = RemediationPlan
        fields = ["partner", "status", "kind", "kpi", "channel"]


class ExitCriterionFilter(django_filters.FilterSet):
    contract = django_filters.ModelChoiceFilter(queryset=scoped_choices(Contract))
    partner = django_filters.ModelChoiceFilter(
        field_name="contract__partner", queryset=scoped_choices(Partner)
    )
    met = django_filters.BooleanFilter(
        field_name="met_on", lookup_expr="isnull", exclude=True, label="Met (has a met date)"
    )

    class Meta:
        model = ExitCriterion
        fields = ["contract", "partner", "kpi", "channel"]
