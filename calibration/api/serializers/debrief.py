"""The debrief over REST: consensus, "no action" notes, the disagreements still open, and the
outcome items that answer them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from calibration.api.serializers.fields import (
    AnswersMixin,
    MemberField,
    SessionItemRefMixin,
    answers_field,
    display_name,
)
from calibration.models import (
    CalibrationSession,
    ConsensusScore,
    NoActionNote,
    OutcomeItem,
    OutcomeKind,
    OutcomeStatus,
)
from core.rest import NamedChoiceField
from partners.api.scoped import ScopedPrimaryKeyRelatedField, request_viewer
from partners.models import User
from partners.scoping import pickable_members


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
        return display_name(outcome.owner)


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
        viewer = request_viewer(self.context.get("request"))
        if (
            viewer is None
            or not pickable_members(viewer, partner=session.partner_id).filter(user=owner).exists()
        ):
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
