from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from kpis.domain import COUNT_FIELDS, DEFINITIONS, Kpi, KpiValue, kpi_values
from kpis.models import ImportBatch, ImportProblem, Interaction, KpiSnapshot, UnknownAgents
from kpis.periods import PeriodType
from kpis.selectors import AgentRow, ChannelCard, KpiCell
from kpis.services import MAX_API_ROWS
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Channel, Partner


def number(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 6)


class PeriodSerializer(serializers.Serializer[Any]):
    period_type = serializers.ChoiceField(choices=[(t.value, t.value) for t in PeriodType])
    start = serializers.DateField()
    end = serializers.DateField()
    # DRF's serializer metaclass takes declared fields out of the class, so a field may be
    # called `label`; the stubs see `Field.label`, a string.
    label = serializers.CharField()  # type: ignore[assignment]


class KpiValueSerializer(serializers.Serializer[KpiValue]):
    """A KPI value: shares as fractions (0.912), times in seconds, NPS -100..100."""

    kpi = serializers.ChoiceField(choices=[k.value for k in Kpi])
    label = serializers.SerializerMethodField()  # type: ignore[assignment]  # as above
    unit = serializers.SerializerMethodField()
    # Not `get_value`, which every DRF field already has (it reads a field's input).
    value = serializers.SerializerMethodField(method_name="get_kpi_value")
    sample = serializers.IntegerField()
    low = serializers.SerializerMethodField(help_text="95 % interval, rates only")
    high = serializers.SerializerMethodField(help_text="95 % interval, rates only")

    def get_label(self, obj: KpiValue) -> str:
        return DEFINITIONS[obj.kpi].label

    def get_unit(self, obj: KpiValue) -> str:
        return DEFINITIONS[obj.kpi].unit.value

    def get_kpi_value(self, obj: KpiValue) -> float | None:
        return number(obj.value)

    def get_low(self, obj: KpiValue) -> float | None:
        return number(obj.low)

    def get_high(self, obj: KpiValue) -> float | None:
        return number(obj.high)


class TrendPointSerializer(serializers.Serializer[Any]):
    period_start = serializers.DateField()
    value = serializers.FloatField(allow_null=True)
    sample = serializers.IntegerField()


class KpiCellSerializer(serializers.Serializer[KpiCell]):
    current = KpiValueSerializer(source="value")
    previous = KpiValueSerializer(allow_null=True)
    change = serializers.SerializerMethodField(help_text="current - previous, in the KPI's unit")
    enough_data = serializers.BooleanField()
    breaches_threshold = serializers.BooleanField(source="breaches")
    trend = serializers.SerializerMethodField()

    def get_change(self, obj: KpiCell) -> float | None:
        return number(obj.delta)

    def get_trend(self, obj: KpiCell) -> list[dict[str, Any]]:
        return [
            {"period_start": p.start, "value": number(v.value), "sample": v.sample}
            for p, v in obj.trend
        ]


class ChannelCardSerializer(serializers.Serializer[ChannelCard]):
    channel = serializers.ChoiceField(choices=Channel.choices)
    contacts = serializers.IntegerField(source="counts.contacts")
    kpis = KpiCellSerializer(source="cells", many=True)


class ChannelScorecardSerializer(serializers.Serializer[Any]):
    partner = serializers.IntegerField()
    period = PeriodSerializer()
    channels = ChannelCardSerializer(many=True)


class AgentRowSerializer(serializers.Serializer[AgentRow]):
    agent = serializers.IntegerField(source="agent.pk")
    external_id = serializers.CharField(source="agent.external_id")
    name = serializers.CharField(source="agent.name")
    team = serializers.CharField(source="agent.team.name", allow_null=True, default=None)
    channel = serializers.CharField()
    tenure_days = serializers.IntegerField()
    contacts = serializers.IntegerField(source="counts.contacts")
    kpis = serializers.SerializerMethodField()

    def get_kpis(self, obj: AgentRow) -> list[dict[str, Any]]:
        return [
            {
                **KpiValueSerializer(value).data,
                "flags": sorted(obj.flags.get(kpi, ())),
            }
            for kpi, value in obj.values.items()
            if kpi is not Kpi.ATTRITION
        ]


class AgentScorecardSerializer(serializers.Serializer[Any]):
    partner = serializers.IntegerField(source="partner.pk")
    period = PeriodSerializer()
    min_sample = serializers.IntegerField()
    agents = AgentRowSerializer(source="rows", many=True)


class KpiSnapshotSerializer(serializers.ModelSerializer[KpiSnapshot]):
    kpis = serializers.SerializerMethodField(help_text="Every KPI derived from these counts")

    class Meta:
        model = KpiSnapshot
        fields = [
            "id",
            "partner",
            "channel",
            "agent",
            "period_type",
            "period_start",
            *COUNT_FIELDS,
            "computed_at",
            "kpis",
        ]

    def get_kpis(self, obj: KpiSnapshot) -> list[dict[str, Any]]:
        values = kpi_values(obj.counts, period_days=obj.period.days)
        return [KpiValueSerializer(v).data for v in values.values()]


class InteractionSerializer(serializers.ModelSerializer[Interaction]):
    agent_external_id = serializers.CharField(source="agent.external_id")
    interaction_type = serializers.CharField(source="interaction_type.code")

    class Meta:
        model = Interaction
        fields = [
            "id",
            "partner",
            "agent",
            "agent_external_id",
            "channel",
            "interaction_type",
            "external_id",
            "opened_at",
            "first_response_seconds",
            "handle_seconds",
            "resolved_first_contact",
            "reopened",
            "escalated",
            "escalation_resolved_l1",
            "csat",
            "nps",
            "ces",
            "sla_met",
            "batch",
            "updated_at",
        ]


class ImportProblemSerializer(serializers.ModelSerializer[ImportProblem]):
    class Meta:
        model = ImportProblem
        fields = ["row", "column", "value", "message"]


class ImportBatchSerializer(serializers.ModelSerializer[ImportBatch]):
    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "partner",
            "kind",
            "source",
            "status",
            "file_name",
            "mapping_name",
            "unknown_agents",
            "timezone",
            "created_by_label",
            "created_at",
            "started_at",
            "finished_at",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_rejected",
            "agents_created",
            "problem_count",
            "first_day",
            "last_day",
            "columns_missing",
            "error",
        ]


class BulkImportSerializer(serializers.Serializer[Any]):
    """Rows keyed by Keel's field names (docs/imports.md); the whole call is all or nothing."""

    partner = ScopedPrimaryKeyRelatedField(
        queryset=Partner.objects.all(),
        required=False,
        allow_null=True,
        help_text="Empty: each row names its partner (buyer callers only).",
    )
    unknown_agents = serializers.ChoiceField(choices=UnknownAgents.values, default="reject")
    timezone = serializers.CharField(
        required=False,
        help_text="For times without an offset; default: the account's time zone.",
    )
    rows = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=MAX_API_ROWS,
        error_messages={
            "max_length": f"At most {MAX_API_ROWS:,} rows fit in one call: split them.",
            "empty": "Send at least one row.",
        },
    )
