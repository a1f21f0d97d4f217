"""Contracts over REST: terms, rate card, the volumes entered per month, and exit criteria.
Money is a decimal sent as a string ("4000.0000").

Writes are checked by `sla.services`, which the views call; these serializers only check the
shape of what comes in (types, choices, references to the caller's own objects).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.rest import NamedChoiceField
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Channel, InteractionType, Partner
from sla import domain
from sla.api.serializers.common import kpi_field, refuse_move
from sla.models import (
    CONTRACT_FIELDS,
    HYBRID_BASE_CHOICES,
    ChannelVolume,
    Contract,
    ExitCriterion,
    ExitPeriod,
    PricingModel,
    RateLine,
)
from sla.services import RateInput

# CONTRACTS
# ------------------------------------------------------------------------------


class RateLineSerializer(serializers.ModelSerializer[RateLine]):
    """One line of a contract's rate card. A line without `interaction_type` prices the
    channel's contacts that no typed line prices; typed lines price contacts only."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    interaction_type = ScopedPrimaryKeyRelatedField(
        queryset=InteractionType.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text="An interaction type of the account; empty for the channel's own rate.",
    )
    interaction_type_code: serializers.SlugRelatedField[InteractionType] = (
        serializers.SlugRelatedField(source="interaction_type", slug_field="code", read_only=True)
    )
    pricing_model = NamedChoiceField(choices=PricingModel.choices, enum_name="PricingModelEnum")
    rate = serializers.DecimalField(max_digits=16, decimal_places=4)
    hybrid_base = serializers.ChoiceField(
        choices=HYBRID_BASE_CHOICES, allow_blank=True, default="", help_text="Hybrid: the base."
    )
    resolution_bonus = serializers.DecimalField(
        max_digits=16, decimal_places=4, default=domain.ZERO, help_text="Hybrid: per resolved."
    )
    currency = serializers.CharField(
        write_only=True,
        required=False,
        default="",
        max_length=3,
        help_text="Optional check: when given, it must be the contract's currency.",
    )
    loaded_rate = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        read_only=True,
        help_text="The rate with the contract's loaded-cost components on top.",
    )

    class Meta:
        model = RateLine
        fields = [
            "channel",
            "interaction_type",
            "interaction_type_code",
            "pricing_model",
            "rate",
            "hybrid_base",
            "resolution_bonus",
            "currency",
            "loaded_rate",
        ]

    @staticmethod
    def rate_input(data: dict[str, Any]) -> RateInput:
        return RateInput(
            channel=data["channel"],
            pricing_model=data["pricing_model"],
            rate=data["rate"],
            interaction_type=data.get("interaction_type"),
            hybrid_base=data.get("hybrid_base", ""),
            resolution_bonus=data.get("resolution_bonus"),
            currency=data.get("currency", ""),
        )


class ContractSerializer(serializers.ModelSerializer[Contract]):
    """A contract with its rate card. `rates` is required to create one; sent on an update it
    replaces the whole card (all lines or none), left out it keeps it."""

    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    rates = RateLineSerializer(many=True, required=False, allow_empty=False)
    loaded_pct = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        read_only=True,
        help_text="The loaded-cost components added up, in percent of each headline rate.",
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            *CONTRACT_FIELDS,
            "rates",
            "loaded_pct",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "loaded_pct", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_move(self.instance, attrs, "partner", "A contract")
        if self.instance is None and not attrs.get("rates"):
            raise serializers.ValidationError(
                {"rates": "Give the contract its rate card: at least one line pricing a channel."}
            )
        return attrs


class VolumeSerializer(serializers.ModelSerializer[ChannelVolume]):
    """Agent hours or FTE billed for one channel and month (the first day of the month)."""

    class Meta:
        model = ChannelVolume
        fields = ["channel", "month", "hours", "fte", "updated_at"]
        read_only_fields = ["updated_at"]
        validators: list[Any] = []  # one row per channel and month is the service's rule


class VolumeBatchSerializer(serializers.Serializer[Any]):
    rows = VolumeSerializer(many=True, allow_empty=False)


# EXIT CRITERIA
# ------------------------------------------------------------------------------


class ExitCriterionSerializer(serializers.ModelSerializer[ExitCriterion]):
    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all())
    kpi = kpi_field()
    period_type = NamedChoiceField(choices=ExitPeriod.choices, enum_name="ExitPeriodEnum")
    description = serializers.CharField(read_only=True)
    earliest_exit_date = serializers.DateField(
        read_only=True, help_text="When met: the met date plus the contract's notice period."
    )

    class Meta:
        model = ExitCriterion
        fields = [
            "id",
            "contract",
            "kpi",
            "channel",
            "comparison",
            "threshold",
            "period_type",
            "periods",
            "despite_remediation",
            "description",
            "streak",
            "checked_at",
            "met_on",
            "earliest_exit_date",
        ]
        read_only_fields = [
            "id",
            "description",
            "streak",
            "checked_at",
            "met_on",
            "earliest_exit_date",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_move(self.instance, attrs, "contract", "An exit criterion")
        return attrs
