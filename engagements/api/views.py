"""The engagement over REST: scope versions with their discipline and forecast against actual
volume, candidates and their scores, engagement stages with their gates, and cost per
resolved contact.

Scopes and stages are read by every member (partner-side callers their own partner's only,
by `ScopedQuerysetMixin`). Candidates, their scores and costs are the buyer's own: a
partner-side member or a partner-limited token is refused with a 403. Writes go through
`engagements.services`, which check the role again and the rules, and answer a broken rule
with a 400 naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from core import clock
from core.errors import DomainError
from core.scoping import Viewer, scope
from engagements import selectors, services
from engagements.api.filters import CandidateFilter, CandidateScoreFilter, ScopeFilter, StageFilter
from engagements.api.serializers import (
    CandidateDetailSerializer,
    CandidateEvaluationInputSerializer,
    CandidateEvaluationSerializer,
    CandidateScoreSheetSerializer,
    CandidateSerializer,
    CostQuerySerializer,
    CostSerializer,
    DisciplineQuerySerializer,
    ForecastQuerySerializer,
    ForecastVsActualSerializer,
    RedFlagInputSerializer,
    RedFlagSerializer,
    ScopeDisciplineSerializer,
    ScopeInputSerializer,
    ScopeSerializer,
    StageInputSerializer,
    StageSerializer,
    WhatIfQuerySerializer,
    WhatIfSerializer,
)
from engagements.models import (
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    ScopeLine,
    ScopeVersion,
    StageKind,
)
from partners.api.permissions import HasViewer
from partners.api.scoped import ScopedQuerysetMixin
from partners.models import BUYER_ROLES, InteractionType, Partner, Role

PROGRAM_MANAGERS = frozenset({Role.PROGRAM_MANAGER})
BUYER_PEOPLE = frozenset(BUYER_ROLES)


def _viewer(request: Request) -> Viewer:
    return request.viewer  # type: ignore[attr-defined,no-any-return]


class BuyerSideOnly(BasePermission):
    """Refuses partner-side members and partner-limited tokens outright (after `HasViewer`
    has found the viewer): the view's data is the buyer's own. `buyer_data` names it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if _viewer(request).is_partner_side:
            what = getattr(view, "buyer_data", "This")
            raise PermissionDenied(
                f"{what} are the buyer's own: partner-side members and partner-limited tokens "
                "cannot see them."
            )
        return True


def _types(viewer: Viewer, codes: Sequence[str], field: str) -> list[InteractionType]:
    """The account's interaction types with these codes; an unknown code is a 400 on `field`."""
    if not codes:
        return []
    try:
        return services.scoped_types(viewer, list(dict.fromkeys(codes)))
    except DomainError as exc:
        raise DomainError(exc.message, code="does_not_exist", field=field) from None


def _owned_by_partner(version: ScopeVersion, what: str) -> Partner:
    if version.partner is None:
        raise DomainError(
            f"This is a selection's scope: {what} is measured once a partner works to it.",
            code="no_partner",
        )
    return version.partner


# SCOPE OF WORK
# ------------------------------------------------------------------------------


class ScopeViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[ScopeVersion]):
    """Versions of each partner's (and each selection's) statement of work: the forecast mix
    per channel and interaction type, seasonal months, shifts, in-house baselines, escalation
    criteria and compliance items. Program managers `POST` the next version, whole; earlier
    versions stay as they were."""

    queryset = ScopeVersion.objects.select_related(
        "created_by", "partner", "selection"
    ).prefetch_related(
        Prefetch("lines", queryset=ScopeLine.objects.select_related("interaction_type")),
        "months",
        "baselines",
        "items",
    )
    serializer_class = ScopeSerializer
    filterset_class = ScopeFilter
    ordering_fields = ["version", "created_at"]
    ordering = ["-created_at", "-id"]
    write_roles = PROGRAM_MANAGERS

    @extend_schema(request=ScopeInputSerializer, responses={201: ScopeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Save the next version of a partner's or a selection's scope. The mix must add up
        to the monthly volume; interaction types are named by their code."""
        body = ScopeInputSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        viewer = _viewer(request)
        types = {t.code: t for t in _types(viewer, body.type_codes(), "lines")}
        version = services.scope_save(
            viewer=viewer,
            data=body.scope_input(types),
            partner=body.validated_data.get("partner"),
            selection=body.validated_data.get("selection"),
        )
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="First day; with end. Default: 4 weeks."
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included."),
        ],
        responses=ScopeDisciplineSerializer,
    )
    @action(detail=True, methods=["get"])
    def discipline(self, request: Request, pk: str | None = None) -> Response:
        """Share of the partner's contacts from `start` to `end` that match this version: a
        channel and type of the mix, in a covered shift (in the scope's time zone), with the
        out-of-scope work by reason. Without dates: the last four weeks to yesterday."""
        version = self.get_object()
        partner = _owned_by_partner(version, "scope discipline")
        query = DisciplineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        viewer = _viewer(request)
        start, end = query.validated_data.get("start"), query.validated_data.get("end")
        if start is None or end is None:
            result, start, end = selectors.recent_discipline(
                viewer, partner, version, clock.today(viewer.account)
            )
        else:
            result = selectors.discipline(viewer, partner, version, start, end)
        data = {
            "scope": version.pk,
            "partner": partner.pk,
            "start": start,
            "end": end,
            "result": result,
        }
        return Response(ScopeDisciplineSerializer(data).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "months", int, description="Complete months before this one, 1-36; default 12."
            )
        ],
        responses=ForecastVsActualSerializer,
    )
    @action(detail=True, methods=["get"], url_path="forecast-vs-actual")
    def forecast_vs_actual(self, request: Request, pk: str | None = None) -> Response:
        """This version's forecast against the partner's actual contacts per month and
        channel (the last `months` complete months, from the forecast's first month), per
        interaction type for the last month with contact rows, and the peak to trough of
        both."""
        version = self.get_object()
        partner = _owned_by_partner(version, "actual volume")
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = selectors.forecast_vs_actual(
            _viewer(request),
            partner,
            version,
            clock.today(_viewer(request).account),
            months=query.validated_data["months"],
        )
        data = {"scope": version.pk, "partner": partner.pk, "result": result}
        return Response(ForecastVsActualSerializer(data).data)


# SELECTION: CANDIDATES AND THEIR SCORES
# ------------------------------------------------------------------------------


class CandidateViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Candidate],
):
    """Candidates of the buyer's partner selections with their quotes (rate cards: nested
    `rates`, all lines or none) and red flags; one candidate with its comparison figures
    (weighted-median score, each line against the other quotes' on the same channel and
    model, the quote priced on the scope's month channel by channel). Program managers add,
    change and `choose/` candidates; every buyer-side person signed in may raise a red
    flag."""

    queryset = Candidate.objects.select_related("selection", "partner").prefetch_related(
        Prefetch(
            "red_flags",
            queryset=CandidateRedFlag.objects.select_related("raised_by").order_by("pk"),
        ),
        Prefetch("rates", queryset=CandidateRate.objects.select_related("interaction_type")),
    )
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter
    search_fields = ["name", "country"]
    ordering_fields = ["name", "created_at"]
    ordering = ["selection_id", "name", "id"]
    permission_classes = [HasViewer, BuyerSideOnly]
    buyer_data = "Candidates"

    @property
    def write_roles(self) -> frozenset[str]:
        return BUYER_PEOPLE if self.action == "red_flags" else PROGRAM_MANAGERS

    def _fresh(self, candidate: Candidate) -> Candidate:
        return self.get_queryset().get(pk=candidate.pk)

    @extend_schema(responses=CandidateDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        candidate = self.get_object()
        comparison = selectors.comparison(_viewer(request), candidate.selection)
        context = {**self.get_serializer_context(), "comparison": comparison}
        return Response(CandidateDetailSerializer(candidate, context=context).data)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        rates = CandidateSerializer.rate_inputs(data.pop("rates", None))
        saved = services.candidate_save(
            viewer=_viewer(self.request), candidate=Candidate(**data), rates=rates
        )
        serializer.instance = self._fresh(saved)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        candidate: Candidate = serializer.instance  # type: ignore[assignment]
        data = dict(serializer.validated_data)
        rates = CandidateSerializer.rate_inputs(data.pop("rates", None))
        for name, value in data.items():
            setattr(candidate, name, value)
        saved = services.candidate_save(
            viewer=_viewer(self.request), candidate=candidate, rates=rates
        )
        serializer.instance = self._fresh(saved)

    @extend_schema(request=None, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def choose(self, request: Request, pk: str | None = None) -> Response:
        """Choose this candidate: it becomes a partner of the account (`partner`) with the
        selection's scope, and the selection closes. A selection chooses once."""
        candidate = self.get_object()
        viewer = _viewer(request)
        services.candidate_choose(
            viewer=viewer, candidate=candidate, today=clock.today(viewer.account)
        )
        return Response(self.get_serializer(self._fresh(candidate)).data)

    @extend_schema(request=RedFlagInputSerializer, responses={201: RedFlagSerializer})
    @action(detail=True, methods=["post"], url_path="red-flags")
    def red_flags(self, request: Request, pk: str | None = None) -> Response:
        """Raise a red flag on the candidate (no KPIs with the price, no operations manager
        named, ...); `other` needs a note."""
        candidate = self.get_object()
        body = RedFlagInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = services.red_flag_add(
            viewer=_viewer(request),
            candidate=candidate,
            kind=body.validated_data["kind"],
            note=body.validated_data["note"],
        )
        flag = CandidateRedFlag.objects.select_related("raised_by").get(pk=flag.pk)
        return Response(RedFlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class CandidateEvaluationViewSet(
    ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[CandidateScore]
):
    """Evaluators' 1-5 scores of candidates, one per criterion, with their evidence. Buyer-side
    people `POST` their own scores of a candidate, signed in as themselves: an API token
    scores for nobody."""

    queryset = CandidateScore.objects.select_related("candidate", "criterion", "evaluator")
    serializer_class = CandidateEvaluationSerializer
    filterset_class = CandidateScoreFilter
    ordering_fields = ["updated_at", "score"]
    ordering = ["candidate_id", "criterion__position", "evaluator_id", "id"]
    permission_classes = [HasViewer, BuyerSideOnly]
    buyer_data = "Candidates and their scores"
    write_roles = BUYER_PEOPLE

    @extend_schema(
        request=CandidateEvaluationInputSerializer,
        responses={201: CandidateScoreSheetSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Save the caller's scores of a candidate, all or none: a score outside 1-5 refuses
        the whole call, naming the criterion. A null score removes the caller's earlier one."""
        body = CandidateEvaluationInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        viewer = _viewer(request)
        candidate = body.validated_data["candidate"]
        written = services.scores_save(
            viewer=viewer, candidate=candidate, scores=body.score_inputs()
        )
        # scores_save refuses a viewer without a user: `viewer.user` is the evaluator here.
        own = self.get_queryset().filter(candidate=candidate, evaluator=viewer.user)
        data = {"candidate": candidate.pk, "written": written, "scores": own}
        return Response(CandidateScoreSheetSerializer(data).data, status=status.HTTP_201_CREATED)


# ENGAGEMENT STAGES
# ------------------------------------------------------------------------------


class StageViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[EngagementStage]):
    """The stages each partner's engagement has moved through: selection, pilot, expansion
    steps, steady state, exit. Program managers `POST` the next stage; an expansion step is
    gated (months at SLA, calibration alignment) and a red gate needs `override_reason`;
    moving back needs `back_reason`."""

    queryset = EngagementStage.objects.prefetch_related("interaction_types")
    serializer_class = StageSerializer
    filterset_class = StageFilter
    ordering_fields = ["started_on", "created_at"]
    ordering = ["partner_id", "started_on", "id"]
    write_roles = PROGRAM_MANAGERS

    @extend_schema(request=StageInputSerializer, responses={201: StageSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = StageInputSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        viewer = _viewer(request)
        partner: Partner = data["partner"]
        today = clock.today(viewer.account)
        gate = (
            selectors.gate_for(
                viewer,
                partner,
                today,
                months=data["gate_months"],
                threshold_pct=data["alignment_threshold_pct"],
            )
            if data["kind"] == StageKind.EXPANSION
            else None
        )
        stage = services.stage_start(
            viewer=viewer,
            partner=partner,
            data=services.StageInput(
                kind=data["kind"],
                started_on=data.get("started_on") or today,
                expansion=data["expansion"],
                description=data["description"],
                channels=data["channels"],
                interaction_types=_types(viewer, data["interaction_types"], "interaction_types"),
                shifts=data["shifts"],
                ramp_weeks=data["ramp_weeks"],
                gate_months=data["gate_months"],
                alignment_threshold_pct=data["alignment_threshold_pct"],
                override_reason=data["override_reason"],
                back_reason=data["back_reason"],
            ),
            gate=gate,
        )
        fresh = self.get_queryset().get(pk=stage.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


# COST PER RESOLVED CONTACT
# ------------------------------------------------------------------------------


def _cost_partner(request: Request, partner_id: int) -> Partner:
    partner = scope(Partner, _viewer(request)).filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(f"No partner with id {partner_id} in your account.")
    return partner


class CostViewSet(viewsets.ViewSet):
    """What each partner costs per resolved contact, loaded: the buyer's own figures."""

    permission_classes = [HasViewer, BuyerSideOnly]
    buyer_data = "Costs"

    @extend_schema(
        parameters=[
            OpenApiParameter("partner", int, required=True),
            OpenApiParameter(
                "months", int, description="Complete months before this one, 1-24; default 6."
            ),
        ],
        responses=CostSerializer,
    )
    def list(self, request: Request) -> Response:
        """Per month and channel: the invoice's headline charges, loaded with the contract's
        cost components, plus the buyer's governance cost split by contacts; the total per
        resolved contact, beside the in-house baseline's."""
        query = CostQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        partner = _cost_partner(request, query.validated_data["partner"])
        view = selectors.costs(
            _viewer(request),
            partner,
            clock.today(_viewer(request).account),
            months=query.validated_data["months"],
        )
        return Response(CostSerializer(CostSerializer.of(partner, view)).data)

    @extend_schema(
        parameters=[OpenApiParameter("partner", int, required=True)],
        responses=WhatIfSerializer,
    )
    @action(detail=False, methods=["get"], url_path="what-if")
    def what_if(self, request: Request) -> Response:
        """The last complete quarter priced per hour, per FTE, per contact, per resolved
        contact and hybrid: what the partner's actual volume and resolution would have cost
        under each model, at rates that price the forecast at what was invoiced."""
        query = WhatIfQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        partner = _cost_partner(request, query.validated_data["partner"])
        viewer = _viewer(request)
        result = selectors.what_if(viewer, partner, clock.today(viewer.account))
        return Response(WhatIfSerializer(WhatIfSerializer.of(partner, result)).data)
