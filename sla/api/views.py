"""Contracts, SLAs, band statuses, settlements, remediation plans and exit criteria over REST.

Every member of the account reads (partner-side callers their own partner's data only, by
`ScopedQuerysetMixin`); writes go through `sla.services`, which check the role again and
the rules, and answer a broken rule with a 400 naming it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core import clock
from core.scoping import Viewer
from partners.api.scoped import ScopedQuerysetMixin
from partners.models import Role
from sla import services
from sla.api.filters import (
    BandStatusFilter,
    ContractFilter,
    ExitCriterionFilter,
    RemediationPlanFilter,
    SettlementFilter,
    SlaFilter,
)
from sla.api.serializers import (
    BandStatusSerializer,
    ContractSerializer,
    ExitCriterionSerializer,
    GovernedKpiInputSerializer,
    GovernedKpiSerializer,
    RateLineSerializer,
    RemediationPlanSerializer,
    RemediationPlanUpdateSerializer,
    SettlementSerializer,
    SlaSerializer,
    VolumeBatchSerializer,
    VolumeSerializer,
)
from sla.models import (
    Band,
    BandStatus,
    CarriedAdjustment,
    Contract,
    ExitCriterion,
    GovernedKpi,
    LineBasis,
    RateLine,
    RemediationPlan,
    Settlement,
    SettlementLine,
    Sla,
)

PROGRAM_MANAGERS = frozenset({Role.PROGRAM_MANAGER})


def _viewer(request: Request) -> Viewer:
    return request.viewer  # type: ignore[attr-defined,no-any-return]


class ServiceWriteMixin:
    """Creates and updates go through a service: `write(viewer, instance)` checks and writes
    a model instance holding the serializer's data (first in the bases, so that it replaces
    the DRF mixins' `serializer.save()`)."""

    queryset: QuerySet[Any]
    request: Any

    def write(self, viewer: Viewer, instance: Any) -> Any:
        raise NotImplementedError

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        model = self.queryset.model
        instance = model(**serializer.validated_data)
        serializer.instance = self.write(_viewer(self.request), instance)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = self.write(_viewer(self.request), instance)


class ContractViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Contract],
):
    """Contracts with their pricing, loaded-cost components and caps. Program managers
    create and change them."""

    queryset = Contract.objects.all()
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    search_fields = ["name"]
    ordering_fields = ["name", "start_date", "end_date", "created_at"]
    ordering = ["partner_id", "-start_date", "id"]
    write_roles = PROGRAM_MANAGERS

    def get_queryset(self) -> QuerySet[Contract]:
        return (
            super()
            .get_queryset()
            .select_related("partner")
            .prefetch_related(
                Prefetch("rates", queryset=RateLine.objects.select_related("interaction_type"))
            )
        )

    def _save(self, serializer: serializers.BaseSerializer[Any], contract: Contract) -> None:
        data = dict(serializer.validated_data)
        rates = data.pop("rates", None)
        for name, value in data.items():
            setattr(contract, name, value)
        saved = services.contract_save(
            viewer=_viewer(self.request),
            contract=contract,
            rates=None if rates is None else [RateLineSerializer.rate_input(r) for r in rates],
        )
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, Contract())

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        assert isinstance(serializer.instance, Contract)  # an update: the contract of the URL
        self._save(serializer, serializer.instance)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=VolumeSerializer(many=True),
        description="The agent hours and FTE entered for this contract, by month and channel.",
    )
    @extend_schema(
        methods=["POST"], request=VolumeBatchSerializer, responses=VolumeSerializer(many=True),
        description=(
            "Enter agent hours or FTE per channel and month (up to 500 rows), replacing what "
            "was entered for those months; all rows or none."
        ),
    )  # fmt: skip
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def volumes(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        if request.method == "POST":
            body = VolumeBatchSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            services.volumes_save(
                viewer=_viewer(request),
                contract=contract,
                rows=[
                    services.VolumeRow(
                        row["channel"], row["month"], row.get("hours"), row.get("fte")
                    )
                    for row in body.validated_data["rows"]
                ],
            )
        rows = contract.volumes.order_by("month", "channel")
        return Response(VolumeSerializer(rows, many=True).data)


GOVERNED = Prefetch(
    "governed",
    queryset=GovernedKpi.objects.order_by("channel", "kpi", "pk").prefetch_related(
        Prefetch("bands", queryset=Band.objects.order_by("position"))
    ),
)


class SlaViewSet(
    ServiceWriteMixin,
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Sla],
):
    """SLAs with the KPIs they govern per channel and each KPI's bands. Program managers
    create SLAs and set a KPI's bands with `POST /slas/{id}/kpis/`."""

    queryset = Sla.objects.prefetch_related(GOVERNED)
    serializer_class = SlaSerializer
    filterset_class = SlaFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["contract_id", "name", "id"]
    write_roles = PROGRAM_MANAGERS

    def write(self, viewer: Viewer, instance: Sla) -> Sla:
        return services.sla_save(viewer=viewer, sla=instance)

    @extend_schema(
        request=GovernedKpiInputSerializer,
        responses={201: GovernedKpiSerializer, 200: GovernedKpiSerializer},
    )
    @action(detail=True, methods=["post"])
    def kpis(self, request: Request, pk: str | None = None) -> Response:
        """Govern a KPI on a channel with these bands and minimum sample (201), or replace
        them when this SLA already governs it (200). Bands must cover every value with no gap
        or overlap, each band starting where the one below ends (the shared bound belongs to
        the band with the better values); `warnings` lists what is allowed but worth a
        second look."""
        sla = self.get_object()
        body = GovernedKpiInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        existing = GovernedKpi.objects.filter(
            sla=sla, channel=data["channel"], kpi=data["kpi"]
        ).first()
        result = services.governed_kpi_save(
            viewer=_viewer(request),
            sla=sla,
            channel=data["channel"],
            kpi=data["kpi"],
            guardrail=data["guardrail"],
            bands=body.band_specs(),
            min_sample=data["min_sample"],
            governed=existing,
        )
        governed = GovernedKpi.objects.prefetch_related(
            Prefetch("bands", queryset=Band.objects.order_by("position"))
        ).get(pk=result.governed.pk)
        output = GovernedKpiSerializer(governed).data
        output["warnings"] = result.warnings
        return Response(output, status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("governed_id", int, OpenApiParameter.PATH)],
        request=None,
        responses={204: OpenApiResponse(description="No longer governed.")},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"kpis/(?P<governed_id>\d+)",
        url_name="kpi-delete",
    )
    def kpi_delete(
        self, request: Request, pk: str | None = None, governed_id: str = ""
    ) -> Response:
        """Stop governing a KPI: its bands and band statuses go with it; its remediation plans
        stay on the partner's record, closed."""
        sla = self.get_object()
        governed = get_object_or_404(GovernedKpi, sla=sla, pk=governed_id)
        services.governed_kpi_delete(viewer=_viewer(request), governed=governed)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BandStatusViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[BandStatus]):
    """Where each governed KPI stands each month, recomputed nightly while the month is open;
    for the current month with the projection to month end (`heading`: early warning)."""

    queryset = BandStatus.objects.all()
    serializer_class = BandStatusSerializer
    filterset_class = BandStatusFilter
    ordering_fields = ["month", "channel", "kpi", "computed_at"]
    ordering = ["partner_id", "-month", "channel", "kpi", "id"]


SETTLEMENT_PREFETCHES = (
    Prefetch(
        "lines",
        queryset=SettlementLine.objects.filter(basis=LineBasis.SETTLED).order_by("position"),
        to_attr="settled_lines",
    ),
    Prefetch(
        "lines",
        queryset=SettlementLine.objects.filter(basis=LineBasis.LATEST).order_by("position"),
        to_attr="latest_line_list",
    ),
    Prefetch(
        "carried_in",
        queryset=CarriedAdjustment.objects.select_related("source").order_by("source__month"),
        to_attr="carried_in_list",
    ),
)


class SettlementViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[Settlement]):
    """Each partner's month under a contract: invoices, credits and bonuses after the caps,
    with the lines behind them. Drafts are recomputed nightly; program managers approve a
    month once it has ended, which freezes it."""

    queryset = Settlement.objects.prefetch_related(*SETTLEMENT_PREFETCHES)
    serializer_class = SettlementSerializer
    filterset_class = SettlementFilter
    ordering_fields = ["month", "net", "computed_at"]
    ordering = ["partner_id", "-month", "id"]
    write_roles = PROGRAM_MANAGERS

    @extend_schema(request=None, responses=SettlementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a month that has ended, on its latest data: the settlement is frozen."""
        settlement = self.get_object()
        viewer = _viewer(request)
        services.settlement_approve(
            viewer=viewer, settlement=settlement, today=clock.today(viewer.account)
        )
        approved = self.get_queryset().get(pk=settlement.pk)
        return Response(self.get_serializer(approved).data)


class RemediationPlanViewSet(
    ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet[RemediationPlan]
):
    """Remediation plans and guardrail reviews, opened when a KPI lands in a band that asks
    for one. Program managers and partner QA leads set owners, due date and actions; a
    program manager may close a plan by hand with a reason."""

    queryset = RemediationPlan.objects.select_related("buyer_owner", "partner_owner")
    serializer_class = RemediationPlanSerializer
    filterset_class = RemediationPlanFilter
    ordering_fields = ["due_date", "opened_at", "status"]
    ordering = ["status", "due_date", "id"]
    write_roles = frozenset({Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD})
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=RemediationPlanUpdateSerializer, responses=RemediationPlanSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        body = RemediationPlanUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        viewer = _viewer(request)

        def owner(field: str) -> Any:
            # Left out: unchanged; null: no owner; an id: that member.
            if field not in data:
                return services.UNCHANGED
            return services.member_user(viewer, data[field], field)

        services.plan_update(
            viewer=viewer,
            plan=plan,
            actions=data.get("actions"),
            due_date=data.get("due_date"),
            buyer_owner=owner("buyer_owner"),
            partner_owner=owner("partner_owner"),
            close_reason=data.get("close_reason"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)


class ExitCriterionViewSet(
    ServiceWriteMixin,
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[ExitCriterion],
):
    """Conditions under which the buyer may end a contract, tracked nightly; once one is met
    the notice period gives the earliest exit date. Program managers set them."""

    queryset = ExitCriterion.objects.select_related("contract")
    serializer_class = ExitCriterionSerializer
    filterset_class = ExitCriterionFilter
    ordering_fields = ["met_on", "streak"]
    ordering = ["contract_id", "id"]
    write_roles = PROGRAM_MANAGERS

    def write(self, viewer: Viewer, instance: ExitCriterion) -> ExitCriterion:
        return services.exit_criterion_save(viewer=viewer, criterion=instance)
