from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.scoping import get_scoped_or_404
from kpis import selectors, services
from kpis.api.serializers import (
    AgentScorecardSerializer,
    BulkImportSerializer,
    ChannelScorecardSerializer,
    ImportBatchSerializer,
    ImportProblemSerializer,
    InteractionSerializer,
    KpiSnapshotSerializer,
)
from kpis.domain import DEFAULT_MIN_SAMPLE
from kpis.models import ImportBatch, ImportStatus, Interaction, KpiSnapshot
from kpis.periods import Period, PeriodType
from kpis.rows import Kind
from kpis.selectors import SORTS, Tenure
from partners.api.scoped import ScopedQuerysetMixin, scoped_choices
from partners.models import Agent, Channel, Partner, Role, Team


class KpiSnapshotFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    agent = django_filters.ModelChoiceFilter(queryset=scoped_choices(Agent))
    level = django_filters.ChoiceFilter(
        method="filter_level",
        choices=[("channel", "channel totals"), ("agent", "per agent")],
        label="channel: the channel totals only; agent: per-agent rows only",
    )
    period_start_after = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = KpiSnapshot
        fields = ["partner", "channel", "agent", "period_type", "period_start"]

    def filter_level(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(agent__isnull=value == "channel")


class KpiSnapshotViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[KpiSnapshot]):
    """Raw counts per partner, channel, agent (empty: the channel's total) and period, with
    every KPI derived from them."""

    queryset = KpiSnapshot.objects.all()
    serializer_class = KpiSnapshotSerializer
    filterset_class = KpiSnapshotFilter
    ordering_fields = ["period_start", "channel", "contacts"]
    ordering = ["partner_id", "period_type", "period_start", "channel", "agent_id"]


class InteractionFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    agent = django_filters.ModelChoiceFilter(queryset=scoped_choices(Agent))
    batch = django_filters.ModelChoiceFilter(queryset=scoped_choices(ImportBatch))
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields = ["partner", "agent", "channel", "external_id", "batch"]


class InteractionViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[Interaction]):
    """Imported contacts: the rows behind every figure."""

    queryset = Interaction.objects.select_related("agent", "interaction_type")
    serializer_class = InteractionSerializer
    filterset_class = InteractionFilter
    ordering_fields = ["opened_at", "external_id"]
    ordering = ["-opened_at", "id"]


PERIOD_PARAMETERS = [
    OpenApiParameter("partner", int, required=True),
    OpenApiParameter(
        "period_type", str, enum=[t.value for t in PeriodType], description="default month"
    ),
    OpenApiParameter(
        "period_start",
        OpenApiTypes.DATE,
        description=(
            "First day of the period; default: the last complete period, or the newest "
            "period with data when that is older"
        ),
    ),
]


class ScorecardQuery(serializers.Serializer[Any]):
    partner = serializers.IntegerField()
    period_type = serializers.ChoiceField(
        choices=[(t.value, t.value) for t in PeriodType], default=PeriodType.MONTH.value
    )
    period_start = serializers.DateField(required=False)

    def period(self, viewer: Any, partner: Partner) -> Period:
        period_type = PeriodType(self.validated_data["period_type"])
        start = self.validated_data.get("period_start")
        if start is None:
            return selectors.latest_period(viewer=viewer, period_type=period_type, partner=partner)
        period = Period.containing(period_type, start)
        if period.start != start:
            message = f"{start} does not start a {period_type}; it starts on {period.start}."
            raise ValidationError({"period_start": message})
        return period


def _partner(request: Request, query: ScorecardQuery) -> Partner:
    return get_scoped_or_404(Partner, request.viewer, pk=query.validated_data["partner"])  # type: ignore[attr-defined]


def _period_data(period: Period) -> dict[str, Any]:
    return {
        "period_type": period.type.value,
        "start": period.start,
        "end": period.end,
        "label": period.label,
    }


class ChannelScorecardApi(APIView):
    """Each channel of one partner in one period: every KPI with its sample, 95 % interval,
    change against the previous period and the last 12 periods."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=ChannelScorecardSerializer)
    def get(self, request: Request) -> Response:
        query = ScorecardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        partner = _partner(request, query)
        period = query.period(request.viewer, partner)  # type: ignore[attr-defined]
        cards = selectors.channel_scorecard(viewer=request.viewer, partner=partner, period=period)  # type: ignore[attr-defined]
        return Response(
            ChannelScorecardSerializer(
                {"partner": partner.pk, "period": _period_data(period), "channels": cards}
            ).data
        )


class AgentScorecardQuery(ScorecardQuery):
    team = serializers.IntegerField(required=False)
    channel = serializers.ChoiceField(choices=Channel.values, required=False)
    tenure = serializers.ChoiceField(choices=[t.value for t in Tenure], required=False)
    min_sample = serializers.IntegerField(min_value=1, default=DEFAULT_MIN_SAMPLE)
    ordering = serializers.ChoiceField(choices=[*SORTS, *(f"-{s}" for s in SORTS)], default="name")


class AgentScorecardApi(APIView):
    """Every agent of one partner in one period with each KPI, flagged when in the worst
    10 % (`decile`) or beyond the KPI's threshold (`threshold`)."""

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("team", int),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("tenure", str, enum=[t.value for t in Tenure]),
            OpenApiParameter("min_sample", int),
            OpenApiParameter("ordering", str, enum=[*SORTS, *(f"-{s}" for s in SORTS)]),
        ],
        responses=AgentScorecardSerializer,
    )
    def get(self, request: Request) -> Response:
        query = AgentScorecardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        partner = _partner(request, query)
        period = query.period(request.viewer, partner)  # type: ignore[attr-defined]
        team = data.get("team")
        if team is not None:
            get_scoped_or_404(Team, request.viewer, pk=team, partner=partner)  # type: ignore[attr-defined]
        ordering = data["ordering"]
        scorecard = selectors.agent_scorecard(
            viewer=request.viewer,  # type: ignore[attr-defined]
            partner=partner,
            period=period,
            team_id=team,
            channel=data.get("channel"),
            tenure=data.get("tenure"),
            sort=ordering.lstrip("-"),
            descending=ordering.startswith("-"),
            min_sample=data["min_sample"],
        )
        return Response(
            AgentScorecardSerializer(
                {
                    "partner": partner,
                    "period": _period_data(period),
                    "min_sample": scorecard.min_sample,
                    "rows": scorecard.rows,
                }
            ).data
        )


class ImportBatchViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[ImportBatch]):
    """Imports of KPI data and their outcome. POST rows to /imports/{kind}/ to import."""

    queryset = ImportBatch.objects.all()
    serializer_class = ImportBatchSerializer
    filterset_fields = ["partner", "kind", "status", "source"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    write_roles = frozenset({Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD})

    @extend_schema(responses=ImportProblemSerializer(many=True))
    @action(detail=True)
    def problems(self, request: Request, pk: str | None = None) -> Response:
        """Why the import was rejected, by row and column."""
        batch = self.get_object()
        # The paginator itself: the view's `paginate_queryset` is typed for pages of batches.
        paginator = self.paginator
        assert paginator is not None  # settings.REST_FRAMEWORK's pagination
        page = paginator.paginate_queryset(batch.problems.order_by("row", "pk"), request, self)
        return self.get_paginated_response(ImportProblemSerializer(page, many=True).data)

    def _bulk(self, request: Request, kind: Kind) -> Response:
        body = BulkImportSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        batch = services.import_api(
            viewer=request.viewer,  # type: ignore[attr-defined]
            kind=kind.value,
            partner=data.get("partner"),
            rows=data["rows"],
            unknown_agents=data["unknown_agents"],
            timezone_name=data.get("timezone"),
        )
        if batch.status == ImportStatus.SUCCEEDED:
            return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)
        if batch.status == ImportStatus.FAILED:
            raise DomainError(f"The import failed and wrote nothing: {batch.error}", code="failed")
        # Rejected: every problem in the one error shape, pointing at the row and field.
        errors = [
            {
                "code": "invalid_row",
                "detail": str(problem_text(p)),
                "attr": f"rows.{p.row - 1}.{p.column}" if p.row else "rows",
            }
            for p in batch.problems.all()[:1000]
        ]
        return Response(
            {"type": "validation_error", "errors": errors, "import": batch.pk},
            status=status.HTTP_400_BAD_REQUEST,
        )

    @extend_schema(request=BulkImportSerializer, responses={201: ImportBatchSerializer})
    @action(detail=False, methods=["post"])
    def interactions(self, request: Request) -> Response:
        """Up to 10,000 contacts (docs/imports.md, interactions); all or nothing."""
        return self._bulk(request, Kind.INTERACTIONS)

    @extend_schema(request=BulkImportSerializer, responses={201: ImportBatchSerializer})
    @action(detail=False, methods=["post"])
    def aggregates(self, request: Request) -> Response:
        """Up to 10,000 aggregate-report rows (counts per channel or agent and period)."""
        return self._bulk(request, Kind.AGGREGATES)

    @extend_schema(request=BulkImportSerializer, responses={201: ImportBatchSerializer})
    @action(detail=False, methods=["post"])
    def roster(self, request: Request) -> Response:
        """Up to 10,000 roster rows: hires, teams and leaving dates."""
        return self._bulk(request, Kind.ROSTER)


def problem_text(problem: Any) -> str:
    where = "the request" if problem.row == 0 else f"row {problem.row:,}"
    if problem.column:
        where += f", field {problem.column}"
    return f"{where}: {problem.message}"
