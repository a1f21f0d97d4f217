"""The engagement's stages over REST: each stage with its gate as it stood, and the next
stage as it comes in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from core.rest import NamedChoiceField
from engagements.api.serializers.fields import channel_field, shift_field
from engagements.models import (
    EngagementStage,
    Expansion,
    StageKind,
)
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Partner


def stage_kind_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=StageKind.choices, enum_name="StageKindEnum", **kwargs)


def expansion_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=Expansion.choices, enum_name="StageExpansionEnum", **kwargs)


class StageSerializer(serializers.ModelSerializer[EngagementStage]):
    """A stage of the engagement; for an expansion step, its gate as it stood when approved.
    Expects the view's prefetch of interaction types."""

    kind = stage_kind_field(read_only=True)
    expansion = expansion_field(read_only=True)
    title = serializers.CharField(read_only=True)
    channels = serializers.ListField(child=channel_field(), read_only=True)
    interaction_types = serializers.SerializerMethodField()
    shifts = serializers.ListField(child=shift_field(), read_only=True)
    gate_reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Why the gate was red."
    )
    approved_despite_red = serializers.BooleanField(read_only=True)

    class Meta:
        model = EngagementStage
        fields = [
            "id",
            "partner",
            "kind",
            "expansion",
            "title",
            "description",
            "started_on",
            "ended_on",
            "channels",
            "interaction_types",
            "shifts",
            "ramp_weeks",
            "ramp_flag",
            "gate_months",
            "alignment_threshold_pct",
            "gate_green",
            "gate_reasons",
            "gate_alignment",
            "override_reason",
            "approved_despite_red",
            "back_reason",
            "approved_by_label",
            "created_at",
        ]
        read_only_fields = fields

    def get_interaction_types(self, stage: EngagementStage) -> list[str]:
        return [t.code for t in stage.interaction_types.all()]


class StageInputSerializer(serializers.Serializer[Any]):
    """The next stage of a partner's engagement. An expansion step is gated on the last
    `gate_months` complete months at SLA and calibration alignment."""

    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    kind = stage_kind_field()
    expansion = expansion_field(default="", help_text="What an expansion step adds.")
    description = serializers.CharField(max_length=300, allow_blank=True, default="")
    started_on = serializers.DateField(required=False, help_text="Default: today.")
    channels = serializers.ListField(child=channel_field(), default=list)
    interaction_types = serializers.ListField(
        child=serializers.CharField(max_length=50), default=list, help_text="Codes."
    )
    shifts = serializers.ListField(child=shift_field(), default=list)
    ramp_weeks = serializers.IntegerField(min_value=0, max_value=520, allow_null=True, default=None)
    gate_months = serializers.IntegerField(min_value=1, max_value=12, default=2)
    alignment_threshold_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        default=Decimal(85),
    )
    override_reason = serializers.CharField(
        allow_blank=True, default="", help_text="Why expand despite a red gate."
    )
    back_reason = serializers.CharField(
        allow_blank=True, default="", help_text="Why the engagement moves back."
    )
