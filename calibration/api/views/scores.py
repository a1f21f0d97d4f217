"""Calibration scores over REST, one session at a time, read through `calibration.blind`
only: before the reveal a reviewer sees their own scores and nobody sees anyone else's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from calibration import blind, services
from calibration.api.serializers import (
    ScoreInputSerializer,
    ScoreQuerySerializer,
    ScoreSaveSerializer,
    ScoreSerializer,
)
from calibration.api.views._common import (
    SCORERS,
    caller,
)
from calibration.models import (
    CalibrationSession,
    Score,
    SessionItem,
)
from core.scoping import get_scoped_or_404


class ScoreViewSet(viewsets.GenericViewSet[Score]):
    """Calibration scores, one session at a time, under the blind rule: before the reveal
    you see your own scores only (a facilitator or a token: none); after it, everyone's with
    the reviewer's side. `POST` saves some or all of your own answers on one interaction
    while scoring is open."""

    serializer_class = ScoreSerializer
    # No filter backend: the scores come from `blind.visible_scores` and are narrowed by
    # the query parameters below only, so that no filter can reach around the blind rule.
    filter_backends: list[Any] = []
    write_roles = SCORERS

    def get_queryset(self) -> QuerySet[Score]:
        # Only for schema generation (no request): the real lists come from `blind`.
        return Score.objects.none()

    @extend_schema(parameters=[ScoreQuerySerializer], responses=ScoreSerializer(many=True))
    def list(self, request: Request) -> Response:
        query = ScoreQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        viewer = caller(request)
        # A session or interaction the caller may not see is a 404, as its page would be.
        if "session" in params:
            session = get_scoped_or_404(CalibrationSession, viewer, pk=params["session"])
        else:
            item = get_scoped_or_404(
                SessionItem.objects.select_related("session"), viewer, pk=params["item"]
            )
            session = item.session
        scores = blind.visible_scores(viewer, session)
        if "item" in params:
            scores = scores.filter(item_id=params["item"])
        if "reviewer" in params:
            scores = scores.filter(reviewer_id=params["reviewer"])
        if "criterion" in params:
            scores = scores.filter(criterion_id=params["criterion"])
        scores = scores.select_related("item", "reviewer__user", "criterion").order_by(
            "item__position", "reviewer__side", "reviewer_id", "criterion__position"
        )
        page = self.paginate_queryset(scores)
        if page is None:  # pagination turned off
            return Response(ScoreSerializer(scores, many=True).data)
        return self.get_paginated_response(ScoreSerializer(page, many=True).data)

    @extend_schema(request=ScoreInputSerializer, responses=ScoreSaveSerializer)
    def create(self, request: Request) -> Response:
        """Save some or all of your answers on one interaction, as you go; the answer holds
        your scores on it so far."""
        body = ScoreInputSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        viewer = caller(request)
        saved = services.score_save(
            viewer=viewer, session=data["session"], item=data["item"], values=data["values"]
        )
        mine = (
            blind.visible_scores(viewer, data["session"])
            .filter(item=data["item"], reviewer__user=viewer.user)
            .select_related("item", "reviewer__user", "criterion")
            .order_by("criterion__position")
        )
        result = {"session": data["session"].pk, "item": data["item"].pk, "saved": saved,
                  "scores": mine}  # fmt: skip
        return Response(ScoreSaveSerializer(result).data)
