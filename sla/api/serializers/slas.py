"""SLAs over REST: the KPIs they govern per channel with their bands, and where each
governed KPI stands each month. KPI figures are decimals sent as strings, in the unit bands
are written in (percentages as 0-100, durations in seconds).

Band layouts are checked by `sla.services`, which the views call; these serializers only
check the shape of what comes in.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.rest import NamedChoiceField
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Channel
from sla import domain
from sla.api.serializers.common import kpi_field, kpi_label, refuse_move
from sla.models import Band, BandKind, BandStatus, Contract, GovernedKpi, Sla

# SLAS AND BANDS
# ------------------------------------------------------------------------------


class BandSerializer(serializers.ModelSerializer[Band]):
    """One band from `lower` to `upper`: an empty lower bound is the lowest band, an empty
    upper bound the highest. Adjacent bands share a bound, held by the band with the better
    values: the higher band for a higher-is-better KPI ("88% and above"), the lower band for
    a lower-is-better one ("480 s or less"). Also what `POST /slas/{id}/kpis/` takes, lowest
    first or in any order."""

    kind = NamedChoiceField(choices=BandKind.choices, enum_name="BandKindEnum")
    lower = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True, default=None)
    upper = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True, default=None)
    bonus_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, default=domain.ZERO, help_text="Percent of the invoice."
    )
    credit_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, default=domain.ZERO, help_text="Percent of the invoice."
    )
    opens_remediation = serializers.BooleanField(default=False)
    bounds = serializers.CharField(
        source="bounds_text",
        read_only=True,
        help_text="The values the band holds, as the contract page writes them: '88% and "
        "above', '75% to below 82%', 'below 75%'; '480 s or less', 'above 480 s'.",
    )

    class Meta:
        model = Band
        fields = [
            "kind",
            "label",
            "lower",
            "upper",
            "bonus_pct",
            "credit_pct",
            "opens_remediation",
            "bounds",
        ]
        # (declared here: a serializer attribute named `label` would shadow Field.label)
        extra_kwargs = {"label": {"default": ""}}

    @staticmethod
    def spec(data: dict[str, Any]) -> domain.Band:
        return domain.Band(
            domain.BandKind(data["kind"]),
            data["lower"],
            data["upper"],
            data["bonus_pct"],
            data["credit_pct"],
            data["opens_remediation"],
            data["label"],
        )


class GovernedKpiSerializer(serializers.ModelSerializer[GovernedKpi]):
    kpi = kpi_field(read_only=True)
    kpi_label = serializers.SerializerMethodField()
    bands = BandSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField(
        help_text="Allowed, but worth a second look (a credit on AHT, ...)."
    )

    class Meta:
        model = GovernedKpi
        fields = [
            "id",
            "channel",
            "kpi",
            "kpi_label",
            "guardrail",
            "min_sample",
            "bands",
            "warnings",
        ]

    def get_kpi_label(self, governed: GovernedKpi) -> str:
        return kpi_label(governed.kpi)

    def get_warnings(self, governed: GovernedKpi) -> list[str]:
        return domain.band_warnings(
            governed.band_specs(), governed.definition, guardrail=governed.guardrail
        )


class GovernedKpiInputSerializer(serializers.Serializer[Any]):
    """One governed KPI with all its bands: created, or replaced when the SLA already
    governs this KPI on this channel."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    kpi = kpi_field()
    guardrail = serializers.BooleanField(
        default=False, help_text="Opens a review, never moves money."
    )
    min_sample = serializers.IntegerField(
        min_value=1,
        default=domain.DEFAULT_MIN_SAMPLE,
        help_text="Below this many observations in a month no band is decided and no money "
        "moves: one number for every band of the KPI.",
    )
    bands = BandSerializer(many=True)

    def validate_bands(self, bands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raw = self.initial_data.get("bands") if hasattr(self.initial_data, "get") else None
        if isinstance(raw, list) and any(isinstance(b, dict) and "min_sample" in b for b in raw):
            # Once a band field: refused rather than silently dropped.
            raise serializers.ValidationError(
                "min_sample is one number per governed KPI now: send it beside channel and "
                "kpi, not in a band."
            )
        return bands

    def band_specs(self) -> list[domain.Band]:
        return [BandSerializer.spec(b) for b in self.validated_data["bands"]]


class SlaSerializer(serializers.ModelSerializer[Sla]):
    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all())
    governed = GovernedKpiSerializer(many=True, read_only=True)

    class Meta:
        model = Sla
        fields = [
            "id",
            "contract",
            "name",
            "plan_exit_periods",
            "remediation_days",
            "governed",
            "created_at",
        ]
        read_only_fields = ["id", "governed", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_move(self.instance, attrs, "contract", "An SLA")
        return attrs


# BAND STATUSES
# ------------------------------------------------------------------------------


class BandStatusSerializer(serializers.ModelSerializer[BandStatus]):
    kpi = kpi_field(read_only=True)
    kpi_label = serializers.SerializerMethodField()

    class Meta:
        model = BandStatus
        fields = [
            "id",
            "partner",
            "governed",
            "channel",
            "kpi",
            "kpi_label",
            "month",
            "value",
            "value_text",
            "sample",
            "low",
            "high",
            "band_kind",
            "band_label",
            "decision",
            "at_risk",
            "month_complete",
            "projected_value",
            "projected_low",
            "projected_high",
            "projected_band_label",
            "heading",
            "explanation",
            "computed_at",
        ]
        read_only_fields = fields

    def get_kpi_label(self, status: BandStatus) -> str:
        return kpi_label(status.kpi)
