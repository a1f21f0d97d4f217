"""Fields the calibration serializers share: a reviewer's side, a person of the account, the
answers to a rubric's criteria, and an interaction of the session at hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calibration.models import CalibrationSession, SessionItem, Side
from core.rest import NamedChoiceField
from partners.api.scoped import request_viewer
from partners.models import User
from partners.scoping import pickable_members


def side_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=Side.choices, enum_name="CalibrationSideEnum", **kwargs)


def display_name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.Field):  # type: ignore[type-arg]
    """A person by user id, among the members the caller may pick (a partner-side caller:
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
        membership = (
            pickable_members(viewer).filter(user_id=user_id).first() if viewer is not None else None
        )
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
