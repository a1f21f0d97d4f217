"""What the SLA serializers share: the KPI choice field and label, and the refusal to move
an object to another contract or partner."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.rest import NamedChoiceField
from sla import domain
from sla.models import KPI_CHOICES


def kpi_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=KPI_CHOICES, enum_name="SlaKpiEnum", **kwargs)


def kpi_label(key: str) -> str:
    return domain.governable(key).label


def refuse_move(instance: Any, attrs: dict[str, Any], field: str, what: str) -> None:
    """An object stays with the contract or partner it was made for: moving it would leave
    its settlements, statuses and plans behind."""
    if instance is not None and field in attrs and attrs[field] != getattr(instance, field):
        raise serializers.ValidationError({field: f"{what} cannot move; create a new one."})
