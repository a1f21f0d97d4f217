"""Calibration sessions over REST: a session with its reviewers and interactions, never its
scores (`calibration.api.serializers.scores` reads those, through the blind rule), and what
planning and setting one up takes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from calibration.api.serializers.fields import (
    MemberField,
    display_name,
    side_field,
)
from calibration.models import (
    CalibrationSession,
    Rubric,
    SessionItem,
    SessionKind,
    SessionReviewer,
    SessionStatus,
)
from core.rest import NamedChoiceField
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Channel, Partner


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
        return display_name(session.facilitator)

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
