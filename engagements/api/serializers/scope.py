"""The scope of work over REST: versions of a partner's (or a selection's) statement of
work, the next version as it comes in, scope discipline and forecast against actual volume.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from core.rest import NamedChoiceField
from engagements import domain, services
from engagements.api.serializers.fields import figure_field, partner_side, shift_field
from engagements.models import (
    Baseline,
    BaselineSource,
    ForecastMonth,
    Framework,
    ItemKind,
    ScopeItem,
    ScopeLine,
    ScopeVersion,
    Selection,
)
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Channel, InteractionType, Partner


class ScopeLineSerializer(serializers.ModelSerializer[ScopeLine]):
    interaction_type = serializers.CharField(source="interaction_type.code", read_only=True)
    interaction_type_name = serializers.CharField(source="interaction_type.name", read_only=True)

    class Meta:
        model = ScopeLine
        fields = ["channel", "interaction_type", "interaction_type_name", "contacts"]
        read_only_fields = fields


class ScopeMonthSerializer(serializers.ModelSerializer[ForecastMonth]):
    class Meta:
        model = ForecastMonth
        fields = ["month", "contacts"]
        read_only_fields = fields


class ScopeBaselineSerializer(serializers.ModelSerializer[Baseline]):
    # (DRF's metaclass takes declared fields off the class: `source` shadows nothing)
    source = NamedChoiceField(  # type: ignore[assignment]
        choices=BaselineSource.choices, enum_name="BaselineSourceEnum", read_only=True
    )
    cost_per_contact = figure_field(
        4, help_text="In-house, fully loaded; null for partner-side callers (the buyer's own)."
    )
    cost_per_resolved = figure_field(
        2, help_text="Cost per contact / FCR; null for partner-side callers."
    )

    class Meta:
        model = Baseline
        fields = [
            "channel",
            "csat_pct",
            "fcr_pct",
            "aht_seconds",
            "frt_seconds",
            "cost_per_contact",
            "cost_per_resolved",
            "source",
        ]
        read_only_fields = fields


class ScopeItemSerializer(serializers.ModelSerializer[ScopeItem]):
    kind = NamedChoiceField(choices=ItemKind.choices, enum_name="ScopeItemKindEnum", read_only=True)
    framework = NamedChoiceField(
        choices=Framework.choices, enum_name="ComplianceFrameworkEnum", read_only=True
    )
    evidence = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ScopeItem
        fields = ["kind", "framework", "text", "evidence", "done", "position"]
        read_only_fields = fields


class ScopeSerializer(serializers.ModelSerializer[ScopeVersion]):
    """One version of a partner's (or a selection's) statement of work. Expects the view's
    prefetches of lines, months, baselines and items."""

    shifts = serializers.ListField(child=shift_field(), read_only=True)
    governance_fte_cost = figure_field(
        4, help_text="Monthly cost of one program-management FTE; null for partner-side callers."
    )
    governance_monthly = figure_field(
        4, help_text="FTEs × their cost: the buyer's monthly governance cost; null partner-side."
    )
    created_by_name = serializers.SerializerMethodField()
    lines = ScopeLineSerializer(many=True, read_only=True)
    months = ScopeMonthSerializer(
        many=True, read_only=True, help_text="Months whose forecast differs from the typical one."
    )
    baselines = ScopeBaselineSerializer(many=True, read_only=True)
    items = ScopeItemSerializer(many=True, read_only=True)

    class Meta:
        model = ScopeVersion
        fields = [
            "id",
            "partner",
            "selection",
            "version",
            "monthly_volume",
            "first_month",
            "shifts",
            "languages",
            "timezone",
            "currency",
            "governance_fte",
            "governance_fte_cost",
            "governance_monthly",
            "note",
            "created_by_name",
            "created_at",
            "lines",
            "months",
            "baselines",
            "items",
        ]
        read_only_fields = fields

    def get_created_by_name(self, version: ScopeVersion) -> str | None:
        return version.created_by.display_name if version.created_by else None

    def to_representation(self, instance: ScopeVersion) -> dict[str, Any]:
        data = super().to_representation(instance)
        if partner_side(self):
            # What the buyer pays for itself and its in-house team is not the partner's to see.
            data["governance_fte_cost"] = data["governance_monthly"] = None
            for baseline in data["baselines"]:
                baseline["cost_per_contact"] = baseline["cost_per_resolved"] = None
        return data


class ScopeLineInputSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=Channel.choices)
    interaction_type = serializers.CharField(
        max_length=50, help_text="The interaction type's code, e.g. 'order-status'."
    )
    contacts = serializers.IntegerField(help_text="Forecast contacts in a typical month.")


class ScopeMonthInputSerializer(serializers.Serializer[Any]):
    month = serializers.DateField(help_text="The first day of the month.")
    contacts = serializers.IntegerField()


class ScopeBaselineInputSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=Channel.choices)
    csat_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, default=None
    )
    fcr_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, default=None
    )
    aht_seconds = serializers.IntegerField(min_value=0, allow_null=True, default=None)
    frt_seconds = serializers.IntegerField(min_value=0, allow_null=True, default=None)
    cost_per_contact = serializers.DecimalField(
        max_digits=16, decimal_places=4, allow_null=True, default=None
    )
    source = NamedChoiceField(  # type: ignore[assignment]
        choices=BaselineSource.choices,
        enum_name="BaselineSourceEnum",
        default=BaselineSource.ENTERED,
    )


class ScopeItemInputSerializer(serializers.Serializer[Any]):
    kind = NamedChoiceField(choices=ItemKind.choices, enum_name="ScopeItemKindEnum")
    framework = NamedChoiceField(
        choices=Framework.choices, enum_name="ComplianceFrameworkEnum", default=""
    )
    text = serializers.CharField(max_length=300)
    evidence = serializers.ListField(
        child=serializers.CharField(max_length=500), default=list, help_text="Links."
    )
    done = serializers.BooleanField(default=False)


class ScopeInputSerializer(serializers.Serializer[Any]):
    """The next version of a partner's or a selection's scope, whole: lines, months,
    baselines and items replace the previous version's."""

    partner = ScopedPrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False, help_text="Either a partner..."
    )
    selection = ScopedPrimaryKeyRelatedField(
        queryset=Selection.objects.all(), required=False, help_text="...or a selection."
    )
    monthly_volume = serializers.IntegerField(help_text="Forecast contacts in a typical month.")
    first_month = serializers.DateField(help_text="First month of the forecast (its first day).")
    lines = ScopeLineInputSerializer(
        many=True, help_text="The mix: contacts per channel and type, adding up to the volume."
    )
    shifts = serializers.ListField(child=shift_field())
    languages = serializers.CharField(max_length=200, allow_blank=True, default="")
    timezone = serializers.CharField(max_length=64, default="UTC")
    currency = serializers.CharField(max_length=3, default="USD")
    governance_fte = serializers.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1.5")
    )
    governance_fte_cost = serializers.DecimalField(
        max_digits=16, decimal_places=4, default=Decimal(0)
    )
    months = ScopeMonthInputSerializer(many=True, default=list)
    baselines = ScopeBaselineInputSerializer(many=True, default=list)
    items = ScopeItemInputSerializer(many=True, default=list)
    note = serializers.CharField(max_length=300, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("partner" in attrs) == ("selection" in attrs):
            raise serializers.ValidationError(
                {"partner": "Name either the partner or the selection whose scope this is."}
            )
        return attrs

    def type_codes(self) -> list[str]:
        return list(dict.fromkeys(li["interaction_type"] for li in self.validated_data["lines"]))

    def scope_input(self, types: Mapping[str, InteractionType]) -> services.ScopeInput:
        data = self.validated_data
        return services.ScopeInput(
            monthly_volume=data["monthly_volume"],
            first_month=data["first_month"],
            lines=[
                services.LineInput(li["channel"], types[li["interaction_type"]], li["contacts"])
                for li in data["lines"]
            ],
            shifts=data["shifts"],
            languages=data["languages"],
            timezone=data["timezone"],
            currency=data["currency"],
            governance_fte=data["governance_fte"],
            governance_fte_cost=data["governance_fte_cost"],
            months={m["month"]: m["contacts"] for m in data["months"]},
            baselines=[services.BaselineInput(**b) for b in data["baselines"]],
            items=[
                services.ItemInput(
                    i["kind"], i["text"], i["framework"], tuple(i["evidence"]), i["done"]
                )
                for i in data["items"]
            ],
            note=data["note"],
        )


class DisciplineQuerySerializer(serializers.Serializer[Any]):
    MAX_DAYS = 366

    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {"start" if start is None else "end": "Give both start and end, or neither."}
            )
        if start is not None and end is not None:
            if end < start:
                raise serializers.ValidationError(
                    {"end": f"The end ({end}) is before the start ({start})."}
                )
            days = (end - start).days + 1
            if days > self.MAX_DAYS:
                raise serializers.ValidationError(
                    {"end": f"Look at {self.MAX_DAYS} days at most, not {days}."}
                )
        return attrs


class ForecastQuerySerializer(serializers.Serializer[Any]):
    months = serializers.IntegerField(min_value=1, max_value=36, default=12)


class OutOfScopeSerializer(serializers.Serializer[Any]):
    channel = serializers.CharField()
    interaction_type = serializers.CharField(source="type_code")
    shift = shift_field()
    reason = NamedChoiceField(
        choices=[(r.value, text) for r, text in domain.REASON_TEXT.items()],
        enum_name="OutOfScopeReasonEnum",
    )
    reason_text = serializers.SerializerMethodField()
    contacts = serializers.IntegerField()

    def get_reason_text(self, row: domain.OutOfScope) -> str:
        return domain.REASON_TEXT[row.reason]


class ScopeDisciplineSerializer(serializers.Serializer[Any]):
    """Scope discipline: how much of the partner's work matched this scope version."""

    scope = serializers.IntegerField()
    partner = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    contacts = serializers.IntegerField(source="result.contacts")
    in_scope = serializers.IntegerField(source="result.in_scope")
    share = figure_field(3, source="result.share", help_text="In scope / contacts, 0-1.")
    healthy = serializers.BooleanField(
        source="result.healthy", allow_null=True, help_text="Share at least 0.95."
    )
    out_of_scope = OutOfScopeSerializer(source="result.out_of_scope", many=True)


class VolumeMonthSerializer(serializers.Serializer[Any]):
    month = serializers.DateField()
    forecast = serializers.IntegerField()
    actual = serializers.IntegerField(allow_null=True, help_text="Null: no data for the month.")
    gap = figure_field(3, help_text="(actual - forecast) / forecast.")
    forecast_by_channel = serializers.DictField(child=serializers.IntegerField())
    actual_by_channel = serializers.DictField(child=serializers.IntegerField())


class VolumeTypeSerializer(serializers.Serializer[Any]):
    channel = serializers.CharField()
    interaction_type = serializers.CharField(source="type_code")
    interaction_type_name = serializers.CharField(source="type_name")
    forecast = serializers.IntegerField()
    actual = serializers.IntegerField()
    gap = figure_field(3)


class ForecastVsActualSerializer(serializers.Serializer[Any]):
    scope = serializers.IntegerField()
    partner = serializers.IntegerField()
    months = VolumeMonthSerializer(source="result.months", many=True)
    by_type = VolumeTypeSerializer(
        source="result.by_type",
        many=True,
        help_text="Per channel and type, for the last month with contact rows.",
    )
    by_type_month = serializers.DateField(source="result.by_type_month", allow_null=True)
    forecast_peak_to_trough = figure_field(2, source="result.forecast_peak_to_trough")
    actual_peak_to_trough = figure_field(2, source="result.actual_peak_to_trough")
    outsourcing_case = serializers.BooleanField(
        source="result.outsourcing_case", help_text="Peak to trough above 1.7."
    )
