"""Calibration over REST: rubrics, QA evaluations and disputes, calibration sessions, scores
and the outcomes of the debrief. Scores and answers are decimals sent as strings ("4.00");
an answer of null is N/A.

Writes are checked by `calibration.services`, which the views call; these serializers only
check the shape of what comes in (types, choices, references to the caller's own objects).
Calibration scores are never read here: the views hand these serializers what
`calibration.blind` lets the caller see.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calibration import services
from calibration.models import (
    CalibrationSession,
    ConsensusScore,
    Dispute,
    DisputeStatus,
    EvaluationAnswer,
    NoActionNote,
    OutcomeItem,
    OutcomeKind,
    OutcomeStatus,
    QaEvaluation,
    Rubric,
    RubricCriterion,
    RubricVersion,
    Scale,
    Score,
    SessionItem,
    SessionKind,
    SessionReviewer,
    SessionStatus,
    Side,
)
from core.rest import NamedChoiceField
from partners.api.scoped import ScopedPrimaryKeyRelatedField, request_viewer
from partners.models import Agent, Channel, Membership, Partner, User


def side_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=Side.choices, enum_name="CalibrationSideEnum", **kwargs)


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.Field):  # type: ignore[type-arg]
    """A person by user id, among the members of the caller's account (a partner-side caller:
    the buyer's people and its own partner's). Anyone else reads as nobody at all."""

    def to_internal_value(self, data: Any) -> User:
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(
                f"Expected a user id, got {type(data).__name__}.", code="incorrect_type"
            )
        try:
            user_id = int(data)
        except ValueError:
            raise serializers.ValidationError(
                f"Expected a user id, got {data!r}.", code="incorrect_type"
            ) from None
        viewer = request_viewer(self.context.get("request"))
        members = Membership.objects.none()
        if viewer is not None:
            members = Membership.objects.filter(account_id=viewer.account_id, user_id=user_id)
            if viewer.is_partner_side:
                members = members.filter(Q(partner__isnull=True) | Q(partner_id=viewer.partner_id))
        membership = members.select_related("user").first()
        if membership is None:
            raise serializers.ValidationError(
                f"No member of your account with user id {user_id}.", code="does_not_exist"
            )
        return membership.user

    def to_representation(self, value: Any) -> int:
        return value.pk if isinstance(value, User) else int(value)


def answers_field() -> serializers.DictField:
    return serializers.DictField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True),
        allow_empty=False,
        help_text="Criterion id → value on the criterion's scale; null is N/A.",
    )


class AnswersMixin:
    """`answers` (criterion id → value) with the ids as integers, as the services take them:
    JSON keys are strings."""

    def validate_answers(self, answers: dict[str, Decimal | None]) -> dict[int, Decimal | None]:
        values = {}
        for key, value in answers.items():
            try:
                values[int(key)] = value
            except (TypeError, ValueError):
                raise serializers.ValidationError(
                    f"'{key}' is not a criterion id.", code="invalid"
                ) from None
        return values


# RUBRICS
# ------------------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer[RubricCriterion]):
    """One criterion of a rubric: `weight` is its maximum points; a critical criterion
    (yes / no only) missed fails the whole interaction."""

    scale = NamedChoiceField(choices=Scale.choices, enum_name="RubricScaleEnum")
    guidance = serializers.CharField(required=False, allow_blank=True, default="")
    na_allowed = serializers.BooleanField(required=False, default=False)
    critical = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = RubricCriterion
        fields = [
            "id",
            "section",
            "position",
            "name",
            "guidance",
            "weight",
            "scale",
            "na_allowed",
            "critical",
        ]
        read_only_fields = ["id", "position"]

    @staticmethod
    def spec(data: dict[str, Any]) -> services.CriterionInput:
        return services.CriterionInput(
            section=data["section"],
            name=data["name"],
            weight=data["weight"],
            scale=data["scale"],
            na_allowed=data["na_allowed"],
            critical=data["critical"],
            guidance=data["guidance"],
        )


def chosen_version(rubric: Rubric) -> RubricVersion | None:
    """The version shown: the one the view picked (`?version=`), else the latest (the view
    prefetches `versions` newest first, each with its criteria)."""
    picked: RubricVersion | None = getattr(rubric, "chosen_version", None)
    if picked is not None:
        return picked
    return next(iter(rubric.versions.all()), None)


class RubricSerializer(serializers.ModelSerializer[Rubric]):
    """A rubric with the criteria of its latest version (or of `?version=N` on one rubric)."""

    versions = serializers.SerializerMethodField(help_text="How many versions it has had.")
    version = serializers.SerializerMethodField(help_text="The number of the version shown.")
    version_id = serializers.SerializerMethodField(
        help_text="That version's id: what QA evaluations name as `version`."
    )
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = Rubric
        fields = ["id", "name", "channel", "versions", "version", "version_id", "criteria",
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_versions(self, rubric: Rubric) -> int:
        return len(rubric.versions.all())

    def get_version(self, rubric: Rubric) -> int | None:
        version = chosen_version(rubric)
        return version.number if version is not None else None

    def get_version_id(self, rubric: Rubric) -> int | None:
        version = chosen_version(rubric)
        return version.pk if version is not None else None

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, rubric: Rubric) -> list[dict[str, Any]]:
        version = chosen_version(rubric)
        if version is None:
            return []
        return CriterionSerializer(version.criteria.all(), many=True).data  # type: ignore[return-value]


class RubricCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    channel = serializers.ChoiceField(
        choices=Channel.choices, allow_blank=True, default="", help_text="Empty: every channel."
    )
    criteria = CriterionSerializer(many=True)

    def specs(self) -> list[services.CriterionInput]:
        return [CriterionSerializer.spec(c) for c in self.validated_data["criteria"]]


class RubricUpdateSerializer(serializers.Serializer[Any]):
    """The rubric's whole new content, in order. While no session or evaluation uses the
    latest version it is changed in place; otherwise this becomes the next version."""

    criteria = CriterionSerializer(many=True)

    def specs(self) -> list[services.CriterionInput]:
        return [CriterionSerializer.spec(c) for c in self.validated_data["criteria"]]


# QA EVALUATIONS AND DISPUTES
# ------------------------------------------------------------------------------


class EvaluationAnswerSerializer(serializers.ModelSerializer[EvaluationAnswer]):
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)

    class Meta:
        model = EvaluationAnswer
        fields = ["criterion", "criterion_name", "value"]
        read_only_fields = fields


class QaEvaluationSerializer(serializers.ModelSerializer[QaEvaluation]):
    """A QA review of one agent's interaction. Expects the view's `select_related` and
    prefetched `answers`."""

    side = side_field(read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True)
    rubric = serializers.IntegerField(source="version.rubric_id", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    answers = EvaluationAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = QaEvaluation
        fields = [
            "id",
            "partner",
            "agent",
            "agent_name",
            "rubric",
            "version",
            "version_number",
            "external_id",
            "channel",
            "side",
            "evaluator_label",
            "scored_at",
            "score",
            "critical_failed",
            "answers",
        ]
        read_only_fields = fields


class QaEvaluationCreateSerializer(AnswersMixin, serializers.Serializer[Any]):
    """Name the rubric (its latest version is used) or one version of it."""

    agent = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all())
    version = ScopedPrimaryKeyRelatedField(
        queryset=RubricVersion.objects.select_related("rubric"), required=False,
        help_text="A rubric version id.",
    )  # fmt: skip
    rubric = ScopedPrimaryKeyRelatedField(
        queryset=Rubric.objects.all(), required=False, help_text="Its latest version is used."
    )
    external_id = serializers.CharField(max_length=100, help_text="The helpdesk's id.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    answers = answers_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("version" in attrs) == ("rubric" in attrs):
            raise serializers.ValidationError(
                {"rubric": "Name either the rubric or one of its versions."}
            )
        attrs["values"] = attrs.pop("answers")
        return attrs


class DisputeSerializer(serializers.ModelSerializer[Dispute]):
    status = NamedChoiceField(
        choices=DisputeStatus.choices, enum_name="DisputeStatusEnum", read_only=True
    )
    partner = serializers.IntegerField(source="evaluation.partner_id", read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "evaluation",
            "partner",
            "criterion",
            "criterion_name",
            "value_before",
            "proposed_value",
            "reason",
            "raised_by_label",
            "raised_at",
            "status",
            "resolved_by_label",
            "resolved_at",
            "resolution_note",
        ]
        read_only_fields = fields


class DisputeCreateSerializer(serializers.Serializer[Any]):
    evaluation = ScopedPrimaryKeyRelatedField(
        queryset=QaEvaluation.objects.select_related("version", "partner")
    )
    criterion = serializers.IntegerField(help_text="A criterion id of the evaluation's rubric.")
    proposed_value = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="null: N/A."
    )
    reason = serializers.CharField(allow_blank=True)


class DisputeResolveSerializer(serializers.Serializer[Any]):
    accept = serializers.BooleanField(help_text="Accepted, the proposed score replaces the old.")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to reject."
    )


# CALIBRATION SESSIONS
# ------------------------------------------------------------------------------


class SessionReviewerSerializer(serializers.ModelSerializer[SessionReviewer]):
    side = side_field(read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = SessionReviewer
        fields = ["id", "user", "name", "side", "submitted_at", "missing"]
        read_only_fields = fields


class SessionItemSerializer(serializers.ModelSerializer[SessionItem]):
    class Meta:
        model = SessionItem
        fields = [
            "id",
            "position",
            "external_id",
            "link",
            "channel",
            "interaction_type",
            "added_by_hand",
        ]
        read_only_fields = fields


class CalibrationSessionSerializer(serializers.ModelSerializer[CalibrationSession]):
    """A session, its reviewers and interactions, never its scores (read those from
    `/scores/?session=`). The alignment figures are null until the reveal. Expects the
    view's `select_related` and prefetched `reviewers` and `items`."""

    status = NamedChoiceField(
        choices=SessionStatus.choices, enum_name="CalibrationSessionStatusEnum", read_only=True
    )
    kind = NamedChoiceField(
        choices=SessionKind.choices, enum_name="CalibrationSessionKindEnum", read_only=True
    )
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    rubric = serializers.IntegerField(source="version.rubric_id", read_only=True)
    rubric_name = serializers.CharField(source="version.rubric.name", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    facilitator_name = serializers.SerializerMethodField()
    reviewers = SessionReviewerSerializer(many=True, read_only=True)
    items = SessionItemSerializer(many=True, read_only=True)
    agreement = serializers.DecimalField(
        max_digits=7, decimal_places=6, read_only=True, allow_null=True,
        help_text="Points-weighted agreement of the sides, 0-1.",
    )  # fmt: skip
    bias = serializers.DecimalField(
        max_digits=8, decimal_places=3, read_only=True, allow_null=True,
        help_text="Mean gap of interaction scores, partner minus buyer (score points).",
    )  # fmt: skip
    alpha = serializers.DecimalField(
        max_digits=8, decimal_places=6, read_only=True, allow_null=True,
        help_text="Krippendorff's alpha over every reviewer's scores.",
    )  # fmt: skip
    beyond_tolerance = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text="Interactions whose sides' scores differ by more than 5 points.",
    )  # fmt: skip
    buyer_vs_consensus = serializers.DecimalField(
        max_digits=7, decimal_places=6, read_only=True, allow_null=True
    )
    partner_vs_consensus = serializers.DecimalField(
        max_digits=7, decimal_places=6, read_only=True, allow_null=True
    )

    ALIGNMENT = (
        "agreement",
        "bias",
        "alpha",
        "beyond_tolerance",
        "buyer_vs_consensus",
        "partner_vs_consensus",
    )

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "partner",
            "partner_name",
            "rubric",
            "rubric_name",
            "version",
            "version_number",
            "kind",
            "reason",
            "status",
            "due_date",
            "period_start",
            "period_end",
            "facilitator",
            "facilitator_name",
            "reviewers",
            "items",
            "created_at",
            "revealed_at",
            "reveal_reason",
            "closed_at",
            "agreement",
            "bias",
            "alpha",
            "beyond_tolerance",
            "buyer_vs_consensus",
            "partner_vs_consensus",
        ]
        read_only_fields = fields

    def get_facilitator_name(self, session: CalibrationSession) -> str | None:
        return _name(session.facilitator)

    def to_representation(self, instance: CalibrationSession) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not instance.is_revealed:
            # Alignment is computed from everyone's scores: nothing of it before the reveal.
            for name in self.ALIGNMENT:
                data[name] = None
        return data


class SessionCreateSerializer(serializers.Serializer[Any]):
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    rubric = ScopedPrimaryKeyRelatedField(queryset=Rubric.objects.all())
    due_date = serializers.DateField()
    reason = serializers.CharField(
        max_length=300, allow_blank=True, help_text="A new interaction type, a quality dip..."
    )
    reviewers = serializers.ListField(
        child=MemberField(),
        required=False,
        default=list,
        help_text="User ids; empty: the account's QA reviewers and the partner's QA leads.",
    )


class DrawSerializer(serializers.Serializer[Any]):
    size = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="5 to 10; empty: the partner's sample size.",
    )  # fmt: skip


class ItemAddSerializer(serializers.Serializer[Any]):
    external_id = serializers.CharField(max_length=100, help_text="The helpdesk's id.")
    link = serializers.URLField(
        required=False, allow_blank=True, default="", help_text="Transcript or recording."
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    interaction_type = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class ReviewerAddSerializer(serializers.Serializer[Any]):
    user = MemberField(help_text="A QA reviewer, QA lead or program manager of the account.")


class SessionItemRefMixin:
    """`item` is an interaction of the session at hand (in the serializer's context)."""

    context: dict[str, Any]

    def validate_item(self, value: int) -> SessionItem:
        session: CalibrationSession = self.context["session"]
        item = session.items.filter(pk=value).first()
        if item is None:
            raise serializers.ValidationError(
                f"No interaction with id {value} in this session.", code="does_not_exist"
            )
        return item


class ConsensusInputSerializer(AnswersMixin, SessionItemRefMixin, serializers.Serializer[Any]):
    item = serializers.IntegerField(help_text="An interaction of this session.")
    answers = answers_field()


class NoActionInputSerializer(SessionItemRefMixin, serializers.Serializer[Any]):
    item = serializers.IntegerField(help_text="An interaction of this session.")
    criterion = serializers.IntegerField(help_text="A criterion of the session's rubric.")
    note = serializers.CharField(max_length=500, allow_blank=True)

    def validate_criterion(self, value: int) -> int:
        session: CalibrationSession = self.context["session"]
        if not session.version.criteria.filter(pk=value).exists():
            raise serializers.ValidationError(
                f"Criterion {value} is not part of {session.version}.", code="does_not_exist"
            )
        return value


class NoActionNoteSerializer(serializers.ModelSerializer[NoActionNote]):
    class Meta:
        model = NoActionNote
        fields = ["id", "item", "criterion", "note"]
        read_only_fields = fields


class ConsensusSerializer(serializers.ModelSerializer[ConsensusScore]):
    class Meta:
        model = ConsensusScore
        fields = ["item", "criterion", "value"]
        read_only_fields = fields


class DisagreementSerializer(serializers.Serializer[Any]):
    """One disagreement of the debrief still without an outcome item or a "no action" note."""

    item = serializers.IntegerField(source="item.pk")
    external_id = serializers.CharField(source="item.external_id")
    criterion = serializers.IntegerField(source="criterion.key")
    criterion_name = serializers.CharField(source="criterion.name")
    agreement = serializers.DecimalField(max_digits=7, decimal_places=6)
    bias = serializers.DecimalField(
        max_digits=8, decimal_places=3, allow_null=True, help_text="Partner minus buyer, points."
    )


# SCORES
# ------------------------------------------------------------------------------


class ScoreQuerySerializer(serializers.Serializer[Any]):
    """Scores are read one session at a time: name the session, or one of its interactions."""

    session = serializers.IntegerField(required=False, help_text="A calibration session id.")
    item = serializers.IntegerField(
        required=False, help_text="An interaction of a session (a session item id)."
    )
    reviewer = serializers.IntegerField(required=False, help_text="A session reviewer id.")
    criterion = serializers.IntegerField(required=False, help_text="A criterion id.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "session" not in attrs and "item" not in attrs:
            raise serializers.ValidationError(
                {"session": "Name a session (or one of its interactions): scores are read one "
                            "session at a time."},
                code="required",
            )  # fmt: skip
        return attrs


class ScoreSerializer(serializers.ModelSerializer[Score]):
    """One reviewer's answer on one criterion of one interaction (value null: N/A). Expects
    `select_related("item", "reviewer__user", "criterion")`."""

    session = serializers.IntegerField(source="item.session_id", read_only=True)
    user = serializers.IntegerField(source="reviewer.user_id", read_only=True)
    name = serializers.CharField(source="reviewer.user.display_name", read_only=True)
    side = side_field(source="reviewer.side", read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "session",
            "item",
            "reviewer",
            "user",
            "name",
            "side",
            "criterion",
            "criterion_name",
            "value",
            "updated_at",
        ]
        read_only_fields = fields


class ScoreInputSerializer(AnswersMixin, serializers.Serializer[Any]):
    """Some or all of the caller's own answers on one interaction, saved as they go."""

    session = ScopedPrimaryKeyRelatedField(
        queryset=CalibrationSession.objects.select_related("version")
    )
    item = serializers.IntegerField(help_text="An interaction of the session.")
    answers = answers_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        session: CalibrationSession = attrs["session"]
        item = session.items.filter(pk=attrs["item"]).first()
        if item is None:
            raise serializers.ValidationError(
                {"item": f"No interaction with id {attrs['item']} in this session."},
                code="does_not_exist",
            )
        attrs["item"] = item
        attrs["values"] = attrs.pop("answers")
        return attrs


class ScoreSaveSerializer(serializers.Serializer[Any]):
    session = serializers.IntegerField()
    item = serializers.IntegerField()
    saved = serializers.IntegerField(help_text="How many answers this call saved.")
    scores = ScoreSerializer(many=True, help_text="Your scores on the interaction so far.")


# OUTCOME ITEMS
# ------------------------------------------------------------------------------


class OutcomeItemSerializer(serializers.ModelSerializer[OutcomeItem]):
    kind = NamedChoiceField(choices=OutcomeKind.choices, enum_name="OutcomeKindEnum")
    status = NamedChoiceField(
        choices=OutcomeStatus.choices, enum_name="OutcomeStatusEnum", read_only=True
    )
    partner = serializers.IntegerField(source="session.partner_id", read_only=True)
    external_id = serializers.CharField(
        source="item.external_id", read_only=True, allow_null=True, default=None
    )
    criterion_name = serializers.CharField(
        source="criterion.name", read_only=True, allow_null=True, default=None
    )
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = OutcomeItem
        fields = [
            "id",
            "session",
            "partner",
            "item",
            "external_id",
            "criterion",
            "criterion_name",
            "kind",
            "description",
            "owner",
            "owner_name",
            "due_date",
            "status",
            "created_at",
            "done_at",
        ]
        read_only_fields = fields

    def get_owner_name(self, outcome: OutcomeItem) -> str | None:
        return _name(outcome.owner)


class OutcomeCreateSerializer(serializers.Serializer[Any]):
    """An owned action from the debrief, optionally about one disagreement (an interaction
    and a criterion of the session)."""

    session = ScopedPrimaryKeyRelatedField(
        queryset=CalibrationSession.objects.select_related("version", "partner")
    )
    kind = NamedChoiceField(choices=OutcomeKind.choices, enum_name="OutcomeKindEnum")
    description = serializers.CharField(allow_blank=True)
    owner = MemberField(help_text="User id: a buyer-side member or one of the partner's.")
    due_date = serializers.DateField()
    item = serializers.IntegerField(required=False, allow_null=True, default=None)
    criterion = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        session: CalibrationSession = attrs["session"]
        owner: User = attrs["owner"]
        # An owner from another partner could not even see the outcome.
        if not Membership.objects.filter(
            Q(partner__isnull=True) | Q(partner_id=session.partner_id),
            account_id=session.partner.account_id,
            user=owner,
        ).exists():
            raise serializers.ValidationError(
                {"owner": f"No member of your account with user id {owner.pk}."},
                code="does_not_exist",
            )
        if attrs["item"] is not None:
            item = session.items.filter(pk=attrs["item"]).first()
            if item is None:
                raise serializers.ValidationError(
                    {"item": f"No interaction with id {attrs['item']} in this session."},
                    code="does_not_exist",
                )
            attrs["item"] = item
        return attrs


class OutcomeUpdateSerializer(serializers.Serializer[Any]):
    status = NamedChoiceField(choices=OutcomeStatus.choices, enum_name="OutcomeStatusEnum")
