"""Calibration scores over REST, one session at a time: the views hand these serializers what
`calibration.blind` lets the caller see, and take the caller's own answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from calibration.api.serializers.fields import (
    AnswersMixin,
    answers_field,
    side_field,
)
from calibration.models import (
    CalibrationSession,
    Score,
)
from partners.api.scoped import ScopedPrimaryKeyRelatedField


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
