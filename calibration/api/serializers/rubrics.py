"""Rubrics over REST: a rubric with the criteria of one version, and its whole new content
when it is created or changed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calibration.models import (
    Rubric,
    RubricCriterion,
    RubricVersion,
    Scale,
)
from calibration.services import CriterionInput
from core.rest import NamedChoiceField
from partners.models import Channel


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
    def spec(data: dict[str, Any]) -> CriterionInput:
        return CriterionInput(
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

    def specs(self) -> list[CriterionInput]:
        return [CriterionSerializer.spec(c) for c in self.validated_data["criteria"]]


class RubricUpdateSerializer(serializers.Serializer[Any]):
    """The rubric's whole new content, in order. While no session or evaluation uses the
    latest version it is changed in place; otherwise this becomes the next version."""

    criteria = CriterionSerializer(many=True)

    def specs(self) -> list[CriterionInput]:
        return [CriterionSerializer.spec(c) for c in self.validated_data["criteria"]]
