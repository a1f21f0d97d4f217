"""Settlements over REST: a partner's month under a contract, with its invoices, lines,
carried adjustments and what a pending adjustment is made of. Money is a decimal sent as a
string ("4000.0000"). Read-only: approving is an action of the view.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.rest import NamedChoiceField
from sla.api.serializers.common import kpi_field, kpi_label
from sla.models import CarriedAdjustment, Settlement, SettlementLine, SettlementStatus
from sla.selectors import adjustment_parts, line_pairs


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
        return kpi_label(line.kpi)


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
