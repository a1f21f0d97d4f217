"""Rubrics, QA evaluations and disputes, calibration sessions, their scores and outcomes over
REST.

Every member of the account reads (partner-side callers their own partner's data only, by
`ScopedQuerysetMixin`); writes go through `calibration.services`, which check the role again
and the rules, and answer a broken rule with a 400 naming it.

The blind rule: calibration scores are read through `calibration.blind` only, one session at
a time (`GET /scores/?session=`). Before the reveal a reviewer sees their own scores and
nobody sees anyone else's; no other endpoint returns scores, nor anything computed from them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from calibration import blind, services
from calibration.api.filters import (
    CalibrationSessionFilter,
    DisputeFilter,
    OutcomeItemFilter,
    QaEvaluationFilter,
    RubricFilter,
)
from calibration.api.serializers import (
    CalibrationSessionSerializer,
    ConsensusInputSerializer,
    ConsensusSerializer,
    DisagreementSerializer,
    DisputeCreateSerializer,
    DisputeResolveSerializer,
    DisputeSerializer,
    DrawSerializer,
    ItemAddSerializer,
    NoActionInputSerializer,
    NoActionNoteSerializer,
    OutcomeCreateSerializer,
    OutcomeItemSerializer,
    OutcomeUpdateSerializer,
    QaEvaluationCreateSerializer,
    QaEvaluationSerializer,
    ReviewerAddSerializer,
    RubricCreateSerializer,
    RubricSerializer,
    RubricUpdateSerializer,
    ScoreInputSerializer,
    ScoreQuerySerializer,
    ScoreSaveSerializer,
    ScoreSerializer,
    SessionCreateSerializer,
    SessionItemSerializer,
    SessionReviewerSerializer,
)
from calibration.models import (
    CalibrationSession,
    Dispute,
    EvaluationAnswer,
    OutcomeItem,
    QaEvaluation,
    Rubric,
    RubricCriterion,
    RubricVersion,
    Score,
    SessionItem,
    SessionReviewer,
)
from core.errors import DomainError
from core.scoping import Viewer, get_scoped_or_404
from partners.api.scoped import ScopedQuerysetMixin
from partners.models import Role

PROGRAM_MANAGERS = frozenset({Role.PROGRAM_MANAGER})
BUYER_SCORERS = frozenset(services.BUYER_SCORERS)
SCORERS = frozenset(services.SCORERS)
PARTNER_QA_LEADS = frozenset({Role.PARTNER_QA_LEAD})
EVERY_ROLE = frozenset(Role)


def _viewer(request: Request) -> Viewer:
    return request.viewer  # type: ignore[attr-defined,no-any-return]


# RUBRICS
# ------------------------------------------------------------------------------


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
            viewer=_viewer(request),
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
        services.rubric_update(viewer=_viewer(request), rubric=rubric, criteria=body.specs())
        return Response(self.get_serializer(self._fresh(rubric.pk)).data)


# QA EVALUATIONS AND DISPUTES
# ------------------------------------------------------------------------------


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
            viewer=_viewer(request),
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
            viewer=_viewer(request),
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
            viewer=_viewer(request),
            dispute=dispute,
            accept=body.validated_data["accept"],
            note=body.validated_data["note"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=dispute.pk)).data)


# CALIBRATION SESSIONS
# ------------------------------------------------------------------------------


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
            viewer=_viewer(request),
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
            viewer=_viewer(request), session=session, size=body.validated_data["size"]
        )
        return self._detail(session)

    @extend_schema(request=ItemAddSerializer, responses={201: SessionItemSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str | None = None) -> Response:
        """Add an interaction by hand, with a link to its transcript or recording."""
        session = self.get_object()
        body = ItemAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.item_add(viewer=_viewer(request), session=session, **body.validated_data)
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
        reviewer = services.reviewer_add(viewer=_viewer(request), session=session, user=user)
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
        services.submit(viewer=_viewer(request), session=session)
        return self._detail(session)

    @extend_schema(request=None, responses=CalibrationSessionSerializer)
    @action(detail=True, methods=["post"], url_path="close-scoring")
    def close_scoring(self, request: Request, pk: str | None = None) -> Response:
        """Reveal now; reviewers who have not submitted are recorded as missing."""
        session = self.get_object()
        services.close_scoring(viewer=_viewer(request), session=session)
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
        viewer = _viewer(request)
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
            viewer=_viewer(request),
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
        services.session_close(viewer=_viewer(request), session=session)
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


# SCORES
# ------------------------------------------------------------------------------


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
        viewer = _viewer(request)
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
        viewer = _viewer(request)
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


# OUTCOME ITEMS
# ------------------------------------------------------------------------------


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
            viewer=_viewer(request),
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
            viewer=_viewer(request), outcome=outcome, status=body.validated_data["status"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=outcome.pk)).data)
