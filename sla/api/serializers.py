"""SLA data over REST. Money and KPI figures are decimals sent as strings ("4000.0000"), in
the unit bands are written in (percentages as 0-100, durations in seconds).

Writes are checked by `sla.services`, which the views call; these serializers only check the
shape of what comes in (types, choices, references to the caller's own objects).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.rest import NamedChoiceField
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Channel, InteractionType, Partner, User
from sla import domain
from sla.models import (
    CONTRACT_FIELDS,
    HYBRID_BASE_CHOICES,
    KPI_CHOICES,
    Band,
    BandKind,
    BandStatus,
    CarriedAdjustment,
    ChannelVolume,
    Contract,
    ExitCriterion,
    ExitPeriod,
    GovernedKpi,
    PlanKind,
    PlanStatus,
    PricingModel,
    RateLine,
    RemediationPlan,
    Settlement,
    SettlementLine,
    SettlementStatus,
    Sla,
)
from sla.selectors import adjustment_parts, line_pairs
from sla.services import RateInput


def kpi_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=KPI_CHOICES, enum_name="SlaKpiEnum", **kwargs)


def _kpi_label(key: str) -> str:
    return domain.governable(key).label


def _refuse_move(instance: Any, attrs: dict[str, Any], field: str, what: str) -> None:
    """An object stays with the contract or partner it was made for: moving it would leave
    its settlements, statuses and plans behind."""
    if instance is not None and field in attrs and attrs[field] != getattr(instance, field):
        raise serializers.ValidationError({field: f"{what} cannot move; create a new one."})


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
    interaction_type_code = serializers.SlugRelatedField(
        source="interaction_type", slug_field="code", read_only=True
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
        _refuse_move(self.instance, attrs, "partner", "A contract")
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
        return _kpi_label(governed.kpi)

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
        _refuse_move(self.instance, attrs, "contract", "An SLA")
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
        return _kpi_label(status.kpi)


# SETTLEMENTS
# ------------------------------------------------------------------------------


class SettlementLineSerializer(serializers.ModelSerializer[SettlementLine]):
    kpi = kpi_field(read_only=True)
    kpi_label = serializers.SerializerMethodField()

    class Meta:
        model = SettlementLine
        fields = [
            "position",
            "channel",
            "kpi",
            "kpi_label",
            "value",
            "value_text",
            "sample",
            "band_kind",
            "band_label",
            "decision",
            "at_risk",
            "guardrail",
            "credit",
            "bonus",
            "opens_plan",
            "explanation",
        ]
        read_only_fields = fields

    def get_kpi_label(self, line: SettlementLine) -> str:
        return _kpi_label(line.kpi)


class CarriedInSerializer(serializers.ModelSerializer[CarriedAdjustment]):
    month = serializers.DateField(source="source.month", read_only=True)

    class Meta:
        model = CarriedAdjustment
        fields = ["source", "month", "amount"]
        read_only_fields = fields


class InvoicePartSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(help_text="What one rate-card line counted, and its amount.")
    amount = serializers.DecimalField(max_digits=16, decimal_places=4)


class InvoiceSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=16, decimal_places=4)
    explanation = serializers.CharField()
    missing = serializers.BooleanField()
    parts = InvoicePartSerializer(
        many=True, required=False, help_text="One per rate-card line; they add up to `amount`."
    )


class AdjustmentPartSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=4, help_text="Positive: owed to the partner."
    )


class SettlementSerializer(serializers.ModelSerializer[Settlement]):
    """A partner's month under a contract. Expects the view's prefetches (`settled_lines`,
    `latest_line_list`, `carried_in_list`)."""

    status = NamedChoiceField(
        choices=SettlementStatus.choices, enum_name="SettlementStatusEnum", read_only=True
    )
    invoices = serializers.DictField(
        child=InvoiceSerializer(), read_only=True, help_text="By channel."
    )
    notes = serializers.ListField(child=serializers.CharField(), read_only=True)
    lines = SettlementLineSerializer(source="settled_lines", many=True, read_only=True)
    latest_lines = serializers.SerializerMethodField(
        help_text="Approved months with a pending adjustment: the lines on the latest data."
    )
    carried_in = CarriedInSerializer(
        source="carried_in_list",
        many=True,
        read_only=True,
        help_text="Adjustments of approved earlier months carried into this one.",
    )
    is_current = serializers.BooleanField(
        read_only=True,
        help_text="False while an input changed since the figures were computed: they are "
        "being recomputed (`stale_since`, `stale_reason` say what changed and when).",
    )
    adjustment_parts = serializers.SerializerMethodField(
        help_text="What a pending adjustment is made of: each channel's invoice change "
        "(volume), each line's credit or bonus change, and the caps; they add up to it."
    )

    class Meta:
        model = Settlement
        fields = [
            "id",
            "contract",
            "partner",
            "month",
            "currency",
            "status",
            "invoices",
            "invoice_total",
            "credit_gross",
            "credit_cap",
            "credit_total",
            "bonus_gross",
            "bonus_cap",
            "bonus_total",
            "carried",
            "net",
            "notes",
            "lines",
            "carried_in",
            "computed_at",
            "approved_by_label",
            "approved_at",
            "adjustment",
            "latest_net",
            "adjustment_computed_at",
            "latest_lines",
            "adjustment_parts",
            "is_current",
            "stale_since",
            "stale_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(AdjustmentPartSerializer(many=True))
    def get_adjustment_parts(self, settlement: Settlement) -> list[dict[str, Any]]:
        if not settlement.has_pending_adjustment:
            return []
        settled = [line for line in settlement.settled_lines]  # type: ignore[attr-defined]
        pairs = line_pairs(settled, list(settlement.latest_line_list))  # type: ignore[attr-defined]
        return AdjustmentPartSerializer(adjustment_parts(settlement, pairs), many=True).data  # type: ignore[return-value]

    @extend_schema_field(SettlementLineSerializer(many=True))
    def get_latest_lines(self, settlement: Settlement) -> list[dict[str, Any]]:
        if not settlement.has_pending_adjustment:
            return []
        return SettlementLineSerializer(settlement.latest_line_list, many=True).data  # type: ignore[attr-defined,return-value]


# REMEDIATION PLANS
# ------------------------------------------------------------------------------


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


class RemediationPlanSerializer(serializers.ModelSerializer[RemediationPlan]):
    kpi = kpi_field(read_only=True)
    kind = NamedChoiceField(choices=PlanKind.choices, enum_name="PlanKindEnum", read_only=True)
    status = NamedChoiceField(
        choices=PlanStatus.choices, enum_name="PlanStatusEnum", read_only=True
    )
    kpi_label = serializers.SerializerMethodField()
    buyer_owner_name = serializers.SerializerMethodField()
    partner_owner_name = serializers.SerializerMethodField()

    class Meta:
        model = RemediationPlan
        fields = [
            "id",
            "partner",
            "governed",
            "channel",
            "kpi",
            "kpi_label",
            "kind",
            "status",
            "opened_month",
            "opened_at",
            "reason",
            "actions",
            "due_date",
            "buyer_owner",
            "buyer_owner_name",
            "partner_owner",
            "partner_owner_name",
            "months_at_sla",
            "closed_at",
            "closed_reason",
            "unsupported_since",
            "unsupported_note",
        ]
        read_only_fields = fields

    def get_kpi_label(self, plan: RemediationPlan) -> str:
        return _kpi_label(plan.kpi)

    def get_buyer_owner_name(self, plan: RemediationPlan) -> str | None:
        return _name(plan.buyer_owner)

    def get_partner_owner_name(self, plan: RemediationPlan) -> str | None:
        return _name(plan.partner_owner)


class RemediationPlanUpdateSerializer(serializers.Serializer[Any]):
    """What either side may change; fields left out stay as they are."""

    actions = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    due_date = serializers.DateField(required=False)
    buyer_owner = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="User id of a buyer-side member of the account; null removes the owner.",
    )
    partner_owner = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="User id of a member of the plan's partner; null removes the owner.",
    )
    close_reason = serializers.CharField(
        required=False,
        max_length=300,
        help_text="Closes the plan by hand (program managers only).",
    )


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
        _refuse_move(self.instance, attrs, "contract", "An exit criterion")
        return attrs
