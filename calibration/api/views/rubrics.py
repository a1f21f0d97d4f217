"""QA rubrics over REST: every member reads them; program managers and QA reviewers create
and change them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from calibration import services
from calibration.api.filters import (
    RubricFilter,
)
from calibration.api.serializers import (
    RubricCreateSerializer,
    RubricSerializer,
    RubricUpdateSerializer,
)
from calibration.api.views._common import (
    BUYER_SCORERS,
    caller,
)
from calibration.models import (
    Rubric,
    RubricCriterion,
    RubricVersion,
)
from partners.api.scoped import ScopedQuerysetMixin


class RubricViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[Rubric]):
    """The account's QA rubrics, each with the criteria of its latest version (`?version=N`
    on one rubric: that version's). Program managers and QA reviewers create them and change
    them with `PUT`: while nothing uses the latest version it changes in place, otherwise the
    change becomes the next version (`version` in the answer)."""

    queryset = Rubric.objects.prefetch_related(
        Prefetch(
            "versions",
            queryset=RubricVersion.objects.order_by("-number").prefetch_related(
                Prefetch("criteria", queryset=RubricCriterion.objects.order_by("position"))
            ),
        )
    )
    serializer_class = RubricSerializer
    filterset_class = RubricFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    write_roles = BUYER_SCORERS
    http_method_names = ["get", "post", "put", "head", "options"]

    def _fresh(self, rubric_id: int) -> Rubric:
        return self.get_queryset().get(pk=rubric_id)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="A version number; empty: the latest."
            )
        ]
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rubric = self.get_object()
        wanted = request.query_params.get("version")
        if wanted:
            version = next((v for v in rubric.versions.all() if str(v.number) == wanted), None)
            if version is None:
                raise Http404(f"The rubric has no version {wanted}.")
            rubric.chosen_version = version  # type: ignore[attr-defined]
        return Response(self.get_serializer(rubric).data)

    @extend_schema(request=RubricCreateSerializer, responses={201: RubricSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = RubricCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rubric = services.rubric_create(
            viewer=caller(request),
            name=body.validated_data["name"],
            channel=body.validated_data["channel"],
            criteria=body.specs(),
        )
        data = self.get_serializer(self._fresh(rubric.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RubricUpdateSerializer, responses=RubricSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rubric = self.get_object()
        body = RubricUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.rubric_update(viewer=caller(request), rubric=rubric, criteria=body.specs())
        return Response(self.get_serializer(self._fresh(rubric.pk)).data)
