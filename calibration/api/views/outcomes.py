"""The outcome items of debriefs over REST: the facilitator adds them, the owner (or a program
manager) marks them done."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from calibration import services
from calibration.api.filters import (
    OutcomeItemFilter,
)
from calibration.api.serializers import (
    OutcomeCreateSerializer,
    OutcomeItemSerializer,
    OutcomeUpdateSerializer,
)
from calibration.api.views._common import (
    EVERY_ROLE,
    PROGRAM_MANAGERS,
    caller,
)
from calibration.models import (
    OutcomeItem,
)
from partners.api.scoped import ScopedQuerysetMixin


class OutcomeItemViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[OutcomeItem]):
    """The owned actions of debriefs: policy clarifications, training reinforcement and
    process improvements. The facilitator (a program manager) adds them after the reveal;
    the owner or a program manager marks them done (`PATCH {status}`)."""

    queryset = OutcomeItem.objects.select_related("session", "item", "criterion", "owner")
    serializer_class = OutcomeItemSerializer
    filterset_class = OutcomeItemFilter
    search_fields = ["description"]
    ordering_fields = ["due_date", "created_at", "status"]
    ordering = ["status", "due_date", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @property
    def write_roles(self) -> frozenset[str]:
        # Anyone may own an outcome; the service checks that the caller owns this one.
        return EVERY_ROLE if self.action == "partial_update" else PROGRAM_MANAGERS

    @extend_schema(request=OutcomeCreateSerializer, responses={201: OutcomeItemSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = OutcomeCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        outcome = services.outcome_add(
            viewer=caller(request),
            session=data["session"],
            kind=data["kind"],
            description=data["description"],
            owner=data["owner"],
            due_date=data["due_date"],
            item=data["item"],
            criterion_id=data["criterion"],
        )
        fresh = self.get_queryset().get(pk=outcome.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OutcomeUpdateSerializer, responses=OutcomeItemSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        outcome = self.get_object()
        body = OutcomeUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.outcome_update(
            viewer=caller(request), outcome=outcome, status=body.validated_data["status"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=outcome.pk)).data)
