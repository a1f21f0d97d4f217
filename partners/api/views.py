from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from partners.api.scoped import ScopedQuerysetMixin, scoped_choices
from partners.api.serializers import AgentSerializer, MeSerializer, PartnerSerializer
from partners.models import Agent, Channel, Partner, Role, Team


class PartnerFilter(django_filters.FilterSet):
    class Meta:
        model = Partner
        fields = ["delivery_model", "country"]


class PartnerViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[Partner]):
    """The account's partners (a partner-side caller sees only its own)."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    search_fields = ["name", "country"]
    ordering_fields = ["name", "go_live_date", "created_at"]
    ordering = ["name"]


class AgentFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    team = django_filters.ModelChoiceFilter(queryset=scoped_choices(Team))
    channel = django_filters.ChoiceFilter(field_name="team__channel", choices=Channel.choices)
    active = django_filters.BooleanFilter(method="filter_active", label="Employed today")
    hired_after = django_filters.DateFilter(field_name="hire_date", lookup_expr="gte")
    hired_before = django_filters.DateFilter(field_name="hire_date", lookup_expr="lte")
    left_after = django_filters.DateFilter(field_name="leaving_date", lookup_expr="gte")

    class Meta:
        model = Agent
        fields = ["partner", "team", "external_id"]

    def filter_active(self, queryset: QuerySet[Agent], name: str, value: bool) -> QuerySet[Agent]:
        today = clock.today(self.request.viewer.account)  # type: ignore[union-attr]
        active = Agent.objects.active_on(today).values("pk")
        return queryset.filter(pk__in=active) if value else queryset.filter(~Q(pk__in=active))


class AgentViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Agent],
):
    """Partners' agents. Program managers and partner QA leads (and their tokens) may add
    agents and record changes such as a team move or a leaving date."""

    queryset = Agent.objects.select_related("team")
    serializer_class = AgentSerializer
    filterset_class = AgentFilter
    search_fields = ["name", "external_id"]
    ordering_fields = ["name", "external_id", "hire_date", "leaving_date"]
    ordering = ["name", "id"]
    write_roles = frozenset({Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD})


class MeApi(APIView):
    """The account, role and partner this session or token acts as."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        viewer: Any = request.viewer  # type: ignore[attr-defined]
        data = {
            "account": viewer.account,
            "account_id": viewer.account_id,
            "role": viewer.role,
            "partner": viewer.partner,
            "partner_id": viewer.partner_id,
            "read_only": viewer.read_only,
            "user": viewer.user,
            "token": viewer.token,
        }
        return Response(MeSerializer(data).data)
