"""QA evaluations and their disputes over REST. Answers and scores are decimals sent as
strings ("4.00"); an answer of null is N/A."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from calibration.api.serializers.fields import (
    AnswersMixin,
    answers_field,
    side_field,
)
from calibration.models import (
    Dispute,
    DisputeStatus,
    EvaluationAnswer,
    QaEvaluation,
    Rubric,
    RubricVersion,
)
from core.rest import NamedChoiceField
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Agent, Channel


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
