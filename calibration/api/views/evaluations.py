"""QA evaluations and their disputes over REST: the QA score KPI's raw data, the partner's
disputes of the buyer's evaluations and the buyer's decisions on them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from calibration import services
from calibration.api.filters import (
    DisputeFilter,
    QaEvaluationFilter,
)
from calibration.api.serializers import (
    DisputeCreateSerializer,
    DisputeResolveSerializer,
    DisputeSerializer,
    QaEvaluationCreateSerializer,
    QaEvaluationSerializer,
)
from calibration.api.views._common import (
    BUYER_SCORERS,
    PARTNER_QA_LEADS,
    SCORERS,
    caller,
)
from calibration.models import (
    Dispute,
    EvaluationAnswer,
    QaEvaluation,
)
from partners.api.scoped import ScopedQuerysetMixin


class QaEvaluationViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[QaEvaluation]):
    """QA reviews of agents' interactions outside calibration, by the buyer or the partner's
    QA lead, with their answers and score (0 when a critical criterion was missed). They feed
    the QA score KPI. Program managers, QA reviewers and partner QA leads record them."""

    queryset = QaEvaluation.objects.select_related("agent", "version").prefetch_related(
        Prefetch(
            "answers",
            queryset=EvaluationAnswer.objects.select_related("criterion").order_by(
                "criterion__position"
            ),
        )
    )
    serializer_class = QaEvaluationSerializer
    filterset_class = QaEvaluationFilter
    search_fields = ["external_id", "agent__name"]
    ordering_fields = ["scored_at", "score"]
    ordering = ["-scored_at", "-id"]
    write_roles = SCORERS

    @extend_schema(request=QaEvaluationCreateSerializer, responses={201: QaEvaluationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = QaEvaluationCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version = data.get("version") or services.latest_version(data["rubric"])
        evaluation = services.evaluation_save(
            viewer=caller(request),
            agent=data["agent"],
            version=version,
            external_id=data["external_id"],
            channel=data["channel"],
            values=data["values"],
        )
        fresh = self.get_queryset().get(pk=evaluation.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


class DisputeViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[Dispute]):
    """A partner QA lead disputes one criterion of a buyer's QA evaluation of its agent,
    within the partner's dispute window; the buyer's program managers or QA reviewers accept
    it (the score changes) or reject it, saying why."""

    queryset = Dispute.objects.select_related("evaluation", "criterion")
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilter
    ordering_fields = ["raised_at", "resolved_at"]
    ordering = ["-raised_at", "-id"]

    @property
    def write_roles(self) -> frozenset[str]:
        return BUYER_SCORERS if self.action == "resolve" else PARTNER_QA_LEADS

    @extend_schema(request=DisputeCreateSerializer, responses={201: DisputeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = DisputeCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        dispute = services.dispute_raise(
            viewer=caller(request),
            evaluation=data["evaluation"],
            criterion_id=data["criterion"],
            proposed_value=data["proposed_value"],
            reason=data["reason"],
        )
        fresh = self.get_queryset().get(pk=dispute.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisputeResolveSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Accept (the proposed score replaces the old one and the evaluation is rescored) or
        reject with a note."""
        dispute = self.get_object()
        body = DisputeResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.dispute_resolve(
            viewer=caller(request),
            dispute=dispute,
            accept=body.validated_data["accept"],
            note=body.validated_data["note"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=dispute.pk)).data)
