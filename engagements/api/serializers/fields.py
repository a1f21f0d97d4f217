"""Fields the engagement's serializers share: read-only money and figures as decimal
strings, the shift and channel enums named once for the schema, and whether the caller is on
the partner side (who does not see the buyer's own costs)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.rest import NamedChoiceField
from engagements.models import (
    Shift,
)
from partners.api.scoped import request_viewer
from partners.models import Channel


def money_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=4, read_only=True, **kwargs)


def figure_field(places: int, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None, decimal_places=places, read_only=True, allow_null=True, **kwargs
    )


def shift_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=Shift.choices, enum_name="ShiftEnum", **kwargs)


def channel_field(**kwargs: Any) -> NamedChoiceField:
    """A channel in a list: named like every other channel field's enum, not after the list."""
    return NamedChoiceField(choices=Channel.choices, enum_name="ChannelEnum", **kwargs)


def partner_side(serializer: serializers.BaseSerializer[Any]) -> bool:
    viewer = request_viewer(serializer.context.get("request"))
    return viewer is None or viewer.is_partner_side
