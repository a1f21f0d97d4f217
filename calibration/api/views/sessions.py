"""Calibration sessions over REST: planning, setting up, submitting, the reveal and the
debrief. Never a score here: `calibration.api.views.scores` serves them, under the blind rule;
the disagreements show only after the reveal."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from calibration import blind, services
from calibration.api.filters import (
    CalibrationSessionFilter,
)
from calibration.api.serializers import (
    CalibrationSessionSerializer,
    ConsensusInputSerializer,
    ConsensusSerializer,
    DisagreementSerializer,
    DrawSerializer,
    ItemAddSerializer,
    NoActionInputSerializer,
    NoActionNoteSerializer,
    ReviewerAddSerializer,
    SessionCreateSerializer,
    SessionItemSerializer,
    SessionReviewerSerializer,
)
from calibration.api.views._common import (
    PROGRAM_MANAGERS,
    SCORERS,
    caller,
)
from calibration.models import (
    CalibrationSession,
    SessionItem,
    SessionReviewer,
)
from core.errors import DomainError
from partners.api.scoped import ScopedQuerysetMixin


class CalibrationSessionViewSet(
    ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[CalibrationSession]
):
    """Calibration sessions: 5-10 interactions scored blind by buyer and partner reviewers,
    revealed when the last reviewer submits (or the facilitator closes scoring), then
    debriefed: consensus, and an outcome item or a "no action" note for each disagreement
    before closing. Program managers run them; reviewers `submit/`.

    Never any score here: read them from `GET /scores/?session=`, which applies the blind
    rule. The alignment figures are null until the reveal."""

    queryset = CalibrationSession.objects.select_related(
        "partner", "facilitator", "version__rubric"
    ).prefetch_related(
        Prefetch("reviewers", queryset=SessionReviewer.objects.select_related("user")),
        Prefetch("items", queryset=SessionItem.objects.order_by("position")),
    )
    serializer_class = CalibrationSessionSerializer
    filterset_class = CalibrationSessionFilter
    search_fields = ["reason", "partner__name"]
    ordering_fields = ["due_date", "created_at", "revealed_at"]
    ordering = ["-due_date", "-id"]

    @property
    def write_roles(self) -> frozenset[str]:
        return SCORERS if self.action == "submit" else PROGRAM_MANAGERS

    def _detail(self, session: CalibrationSession) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    def _context(self, session: CalibrationSession) -> dict[str, Any]:
        return {**self.get_serializer_context(), "session": session}

    @extend_schema(request=SessionCreateSerializer, responses={201: CalibrationSessionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Plan an ad hoc session (a new interaction type, a quality dip), facilitated by the
        caller, on the rubric's latest version."""
        body = SessionCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        session = services.session_create(
            viewer=caller(request),
            partner=data["partner"],
            rubric=data["rubric"],
            due_date=data["due_date"],
            reason=data["reason"],
            reviewers=data["reviewers"],
        )
        response = self._detail(session)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=DrawSerializer, responses=CalibrationSessionSerializer)
    @action(detail=True, methods=["post"])
    def draw(self, request: Request, pk: str | None = None) -> Response:
        """Keel draws the interactions at random from the session's period, stratified by
        channel and type, with a low-CSAT contact when there is one."""
        session = self.get_object()
        body = DrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.draw_items(
            viewer=caller(request), session=session, size=body.validated_data["size"]
        )
        return self._detail(session)

    @extend_schema(request=ItemAddSerializer, responses={201: SessionItemSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str | None = None) -> Response:
        """Add an interaction by hand, with a link to its transcript or recording."""
        session = self.get_object()
        body = ItemAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.item_add(viewer=caller(request), session=session, **body.validated_data)
        return Response(SessionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReviewerAddSerializer,
        responses={201: SessionReviewerSerializer, 200: SessionReviewerSerializer},
    )
    @action(detail=True, methods=["post"])
    def reviewers(self, request: Request, pk: str | None = None) -> Response:
        """Add a reviewer (201; 200 when already one). Their side follows their membership."""
        session = self.get_object()
        body = ReviewerAddSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        user = body.validated_data["user"]
        existed = any(r.user_id == user.pk for r in session.reviewers.all())
        reviewer = services.reviewer_add(viewer=caller(request), session=session, user=user)
        reviewer = SessionReviewer.objects.select_related("user").get(pk=reviewer.pk)
        return Response(
            SessionReviewerSerializer(reviewer).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=CalibrationSessionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """A reviewer hands in their scores: every criterion of every interaction. When the
        last reviewer submits, the scores are revealed."""
        session = self.get_object()
        services.submit(viewer=caller(request), session=session)
        return self._detail(session)

    @extend_schema(request=None, responses=CalibrationSessionSerializer)
    @action(detail=True, methods=["post"], url_path="close-scoring")
    def close_scoring(self, request: Request, pk: str | None = None) -> Response:
        """Reveal now; reviewers who have not submitted are recorded as missing."""
        session = self.get_object()
        services.close_scoring(viewer=caller(request), session=session)
        return self._detail(session)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=ConsensusSerializer(many=True),
        description="The consensus recorded in the debrief (none before the reveal).",
    )
    @extend_schema(
        methods=["POST"],
        request=ConsensusInputSerializer,
        responses=ConsensusSerializer(many=True),
        description=(
            "Record the score both sides agreed on an interaction, per criterion (after the "
            "reveal); the consensus alignment of each side is recomputed."
        ),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def consensus(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        viewer = caller(request)
        if request.method == "POST":
            body = ConsensusInputSerializer(data=request.data, context=self._context(session))
            body.is_valid(raise_exception=True)
            services.consensus_save(
                viewer=viewer,
                session=session,
                item=body.validated_data["item"],
                values=body.validated_data["answers"],
            )
        consensus = blind.visible_consensus(viewer, session).order_by(
            "item__position", "criterion__position"
        )
        return Response(ConsensusSerializer(consensus, many=True).data)

    @extend_schema(request=NoActionInputSerializer, responses={201: NoActionNoteSerializer})
    @action(detail=True, methods=["post"], url_path="no-action")
    def no_action(self, request: Request, pk: str | None = None) -> Response:
        """Record that a disagreement needs no action, and why."""
        session = self.get_object()
        body = NoActionInputSerializer(data=request.data, context=self._context(session))
        body.is_valid(raise_exception=True)
        note = services.no_action_save(
            viewer=caller(request),
            session=session,
            item=body.validated_data["item"],
            criterion_id=body.validated_data["criterion"],
            note=body.validated_data["note"],
        )
        return Response(NoActionNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CalibrationSessionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the debrief: refused while a disagreement has neither an outcome item nor a
        "no action" note."""
        session = self.get_object()
        services.session_close(viewer=caller(request), session=session)
        return self._detail(session)

    @extend_schema(request=None, responses=DisagreementSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def disagreements(self, request: Request, pk: str | None = None) -> Response:
        """After the reveal: the disagreements still without an outcome item or a "no action"
        note, largest first. Before the reveal they would give the scores away: a 400."""
        session = self.get_object()
        if not blind.sees_everyone(session):
            raise DomainError(
                "The scores are not revealed yet: disagreements show after the reveal.",
                code="not_revealed",
            )
        found = services.open_disagreements(session)
        return Response(DisagreementSerializer(found, many=True).data)
