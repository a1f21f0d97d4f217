"""The engagement over REST: scope versions, candidates with their comparison figures and
scores, engagement stages with their gates, and cost per resolved contact. Money and figures
are decimals sent as strings ("4000.0000"); shares are fractions from 0 to 1.

These serializers only check the shape of what comes in (types, choices, references to the
caller's own objects); `engagements.services` checks the rules, which the views call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.rest import NamedChoiceField
from engagements import domain, selectors, services
from engagements.models import (
    CANDIDATE_FIELDS,
    AttritionTrend,
    Baseline,
    BaselineSource,
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    Expansion,
    ForecastMonth,
    Framework,
    ItemKind,
    ScopeItem,
    ScopeLine,
    ScopeVersion,
    Selection,
    Shift,
    StageKind,
)
from partners.api.scoped import ScopedPrimaryKeyRelatedField, request_viewer
from partners.models import Channel, InteractionType, Partner
from sla.api.serializers import RateLineSerializer


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=4, read_only=True, **kwargs)


def _figure(places: int, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None, decimal_places=places, read_only=True, allow_null=True, **kwargs
    )


def shift_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=Shift.choices, enum_name="ShiftEnum", **kwargs)


def channel_field(**kwargs: Any) -> NamedChoiceField:
    """A channel in a list: named like every other channel field's enum, not after the list."""
    return NamedChoiceField(choices=Channel.choices, enum_name="ChannelEnum", **kwargs)


def _partner_side(serializer: serializers.BaseSerializer[Any]) -> bool:
    viewer = request_viewer(serializer.context.get("request"))
    return viewer is None or viewer.is_partner_side


# SCOPE OF WORK
# ------------------------------------------------------------------------------


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
    cost_per_contact = _figure(
        4, help_text="In-house, fully loaded; null for partner-side callers (the buyer's own)."
    )
    cost_per_resolved = _figure(
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
    governance_fte_cost = _figure(
        4, help_text="Monthly cost of one program-management FTE; null for partner-side callers."
    )
    governance_monthly = _figure(
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
        if _partner_side(self):
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
    share = _figure(3, source="result.share", help_text="In scope / contacts, 0-1.")
    healthy = serializers.BooleanField(
        source="result.healthy", allow_null=True, help_text="Share at least 0.95."
    )
    out_of_scope = OutOfScopeSerializer(source="result.out_of_scope", many=True)


class VolumeMonthSerializer(serializers.Serializer[Any]):
    month = serializers.DateField()
    forecast = serializers.IntegerField()
    actual = serializers.IntegerField(allow_null=True, help_text="Null: no data for the month.")
    gap = _figure(3, help_text="(actual - forecast) / forecast.")
    forecast_by_channel = serializers.DictField(child=serializers.IntegerField())
    actual_by_channel = serializers.DictField(child=serializers.IntegerField())


class VolumeTypeSerializer(serializers.Serializer[Any]):
    channel = serializers.CharField()
    interaction_type = serializers.CharField(source="type_code")
    interaction_type_name = serializers.CharField(source="type_name")
    forecast = serializers.IntegerField()
    actual = serializers.IntegerField()
    gap = _figure(3)


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
    forecast_peak_to_trough = _figure(2, source="result.forecast_peak_to_trough")
    actual_peak_to_trough = _figure(2, source="result.actual_peak_to_trough")
    outsourcing_case = serializers.BooleanField(
        source="result.outsourcing_case", help_text="Peak to trough above 1.7."
    )


# SELECTION: CANDIDATES AND THEIR SCORES
# ------------------------------------------------------------------------------


class RedFlagSerializer(serializers.ModelSerializer[CandidateRedFlag]):
    kind = NamedChoiceField(
        choices=CandidateRedFlag._meta.get_field("kind").choices,
        enum_name="RedFlagKindEnum",
        read_only=True,
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    raised_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CandidateRedFlag
        fields = ["id", "kind", "kind_label", "note", "raised_by_name", "created_at"]
        read_only_fields = fields

    def get_raised_by_name(self, flag: CandidateRedFlag) -> str | None:
        return flag.raised_by.display_name if flag.raised_by else None


class RedFlagInputSerializer(serializers.Serializer[Any]):
    kind = NamedChoiceField(
        choices=CandidateRedFlag._meta.get_field("kind").choices, enum_name="RedFlagKindEnum"
    )
    note = serializers.CharField(
        max_length=500, allow_blank=True, default="", help_text="Required for 'other'."
    )


class CandidateRateSerializer(RateLineSerializer):
    """One line of a candidate's quote, as a contract's rate card has them: a channel, a
    pricing model and a rate, optionally for one interaction type. A line without
    `interaction_type` prices the channel's contacts that no typed line prices; typed lines
    price contacts only."""

    currency = serializers.CharField(
        write_only=True,
        required=False,
        default="",
        max_length=3,
        help_text="Optional check: when given, it must be the selection's currency.",
    )
    loaded_rate = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        read_only=True,
        help_text="The rate with the candidate's loaded-cost components on top.",
    )
    loaded_resolution_bonus = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        read_only=True,
        help_text="Hybrid: the bonus per resolved contact, loaded.",
    )

    class Meta(RateLineSerializer.Meta):
        model = CandidateRate  # type: ignore[assignment]
        fields = [*RateLineSerializer.Meta.fields, "loaded_resolution_bonus"]


class CandidateSerializer(serializers.ModelSerializer[Candidate]):
    """A candidate with its quote: its rate card (`rates`) and the loaded-cost components on
    top of every rate. `rates` is required to add a candidate; sent on a change it replaces
    the whole card (every line or none), left out it keeps it. Expects the view's prefetch
    of red flags and rates."""

    selection = ScopedPrimaryKeyRelatedField(queryset=Selection.objects.all())
    attrition_trend = NamedChoiceField(
        choices=AttritionTrend.choices, enum_name="AttritionTrendEnum", required=False
    )
    rates = CandidateRateSerializer(many=True, required=False, allow_empty=False)
    loaded_pct = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        read_only=True,
        help_text="The loaded-cost components added up, in percent of each headline rate.",
    )
    red_flags = RedFlagSerializer(many=True, read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "selection",
            *CANDIDATE_FIELDS,
            "rates",
            "loaded_pct",
            "partner",
            "red_flags",
            "created_at",
        ]
        read_only_fields = ["id", "loaded_pct", "partner", "created_at"]
        # One name per selection is the service's rule, with a clearer message.
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            self.instance is not None
            and "selection" in attrs
            and attrs["selection"] != self.instance.selection
        ):
            raise serializers.ValidationError(
                {"selection": "A candidate stays in its selection; add it to the other one."}
            )
        if self.instance is None and not attrs.get("rates"):
            raise serializers.ValidationError(
                {"rates": "Give the candidate's quote: at least one rate line pricing a channel."}
            )
        return attrs

    @staticmethod
    def rate_inputs(rates: list[dict[str, Any]] | None) -> list[services.RateInput] | None:
        return None if rates is None else [RateLineSerializer.rate_input(r) for r in rates]


class EvaluatorScoreSerializer(serializers.Serializer[Any]):
    evaluator = serializers.CharField(help_text="The evaluator's name.")
    score = serializers.DecimalField(max_digits=None, decimal_places=2)


class CriterionMedianSerializer(serializers.Serializer[Any]):
    criterion = serializers.CharField(source="key")
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=None, decimal_places=2)
    median = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)


class QuoteLineFiguresSerializer(serializers.Serializer[Any]):
    """One line of the candidate's quote against the other candidates' lines on the same
    channel, interaction type and pricing model (and hybrid base): its peers."""

    channel = channel_field()
    interaction_type_code = serializers.CharField(allow_null=True)
    pricing_model = serializers.CharField()
    hybrid_base = serializers.CharField(allow_blank=True)
    rate = serializers.DecimalField(max_digits=None, decimal_places=4, help_text="Headline.")
    resolution_bonus = serializers.DecimalField(max_digits=None, decimal_places=4)
    loaded_rate = serializers.DecimalField(max_digits=None, decimal_places=4)
    loaded_resolution_bonus = serializers.DecimalField(max_digits=None, decimal_places=4)
    peers = serializers.IntegerField(help_text="Quotes with a line like this one, itself included.")
    loaded_above_cheapest = _figure(
        1,
        help_text="% above the cheapest loaded rate of its peers; null when it has none, or "
        "for a hybrid line (two rates: compare the projected cost).",
    )
    headline_rank = serializers.IntegerField(
        allow_null=True, help_text="1: the cheapest headline rate of its peers."
    )
    dearer_loaded_than = serializers.ListField(
        child=serializers.CharField(),
        help_text="Peers quoting a dearer headline whose loaded rate is cheaper than this one.",
    )


class ChannelProjectionSerializer(serializers.Serializer[Any]):
    """One channel of the scope's month priced with the candidate's lines for it."""

    channel = channel_field()
    contacts = serializers.IntegerField()
    resolved = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=None, decimal_places=2)
    fte = serializers.DecimalField(max_digits=None, decimal_places=2)
    quoted = serializers.BooleanField(help_text="False: the quote has no line for the channel.")
    headline_cost = serializers.DecimalField(max_digits=None, decimal_places=4, allow_null=True)
    loaded_cost = serializers.DecimalField(max_digits=None, decimal_places=4, allow_null=True)
    explanation = serializers.CharField(allow_null=True, help_text="What each line counted.")


class ProjectionSerializer(serializers.Serializer[Any]):
    """The quote applied to the scope's month with the selection's assumptions, channel by
    channel. Costs add the quoted channels only: `complete` is false, and `not_quoted` names
    the channels, when the quote leaves some of the scope unpriced."""

    contacts = serializers.IntegerField()
    resolved = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=None, decimal_places=2)
    fte = serializers.DecimalField(max_digits=None, decimal_places=2)
    headline_cost = serializers.DecimalField(max_digits=None, decimal_places=4)
    loaded_cost = serializers.DecimalField(max_digits=None, decimal_places=4)
    cost_per_resolved = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        allow_null=True,
        help_text="Loaded cost over the resolved contacts of the quoted channels.",
    )
    complete = serializers.BooleanField()
    not_quoted = serializers.ListField(child=channel_field())
    channels = ChannelProjectionSerializer(many=True)

    @staticmethod
    def of(projection: domain.Projection) -> dict[str, Any]:
        volumes = projection.volumes
        return {
            "contacts": volumes.contacts,
            "resolved": volumes.resolved,
            "hours": volumes.hours,
            "fte": volumes.fte,
            "headline_cost": projection.headline_cost,
            "loaded_cost": projection.loaded_cost,
            "cost_per_resolved": projection.cost_per_resolved,
            "complete": projection.complete,
            "not_quoted": list(projection.not_quoted),
            "channels": [
                {
                    "channel": c.channel,
                    "contacts": c.volumes.contacts,
                    "resolved": c.volumes.resolved,
                    "hours": c.volumes.hours,
                    "fte": c.volumes.fte,
                    "quoted": c.quoted,
                    "headline_cost": c.headline,
                    "loaded_cost": c.loaded,
                    "explanation": c.invoice.explanation if c.invoice else None,
                }
                for c in projection.channels
            ],
        }


class CandidateComparisonSerializer(serializers.Serializer[Any]):
    """This candidate's column of the selection's comparison."""

    score = _figure(2, help_text="Median of the complete sheets' weighted scores, 1-5.")
    low = _figure(2, help_text="Lowest complete sheet.")
    high = _figure(2, help_text="Highest complete sheet.")
    evaluators_complete = serializers.IntegerField(help_text="Sheets scoring every criterion.")
    evaluators = serializers.IntegerField(help_text="People who scored in this selection.")
    incomplete = serializers.ListField(
        child=serializers.CharField(), help_text="Who has not scored every criterion yet."
    )
    evaluator_scores = EvaluatorScoreSerializer(many=True)
    criteria = CriterionMedianSerializer(many=True)
    lines = QuoteLineFiguresSerializer(many=True)
    monthly_volume = serializers.IntegerField(allow_null=True)
    projection = ProjectionSerializer(allow_null=True)

    @staticmethod
    def of(comparison: selectors.Comparison, column: selectors.CandidateColumn) -> dict[str, Any]:
        result = column.result
        names = column.evaluator_names
        return {
            "score": result.score,
            "low": result.low,
            "high": result.high,
            "evaluators_complete": len(result.evaluator_scores),
            "evaluators": comparison.evaluators,
            "incomplete": [names.get(e, e) for e in result.incomplete],
            "evaluator_scores": [
                {"evaluator": names.get(e, e), "score": s}
                for e, s in result.evaluator_scores.items()
            ],
            "criteria": [
                {
                    "key": c.key,
                    "name": c.name,
                    "weight": c.weight,
                    "median": result.criterion_medians.get(c.key),
                }
                for c in comparison.criteria
            ],
            "lines": [
                {
                    "channel": q.line.channel,
                    "interaction_type_code": (
                        q.line.interaction_type.code if q.line.interaction_type else None
                    ),
                    "pricing_model": q.line.pricing_model,
                    "hybrid_base": q.line.hybrid_base,
                    "rate": q.line.rate,
                    "resolution_bonus": q.line.resolution_bonus,
                    "loaded_rate": q.loaded_rate,
                    "loaded_resolution_bonus": q.loaded_bonus,
                    "peers": q.rank.peers,
                    "loaded_above_cheapest": q.rank.above_cheapest,
                    "headline_rank": q.rank.headline_rank,
                    "dearer_loaded_than": list(q.rank.dearer_loaded_than),
                }
                for q in column.lines
            ],
            "monthly_volume": comparison.scope.monthly_volume if comparison.scope else None,
            "projection": (
                ProjectionSerializer.of(column.projection) if column.projection else None
            ),
        }


class CandidateDetailSerializer(CandidateSerializer):
    comparison = serializers.SerializerMethodField()

    class Meta(CandidateSerializer.Meta):
        fields = [*CandidateSerializer.Meta.fields, "comparison"]

    @extend_schema_field(CandidateComparisonSerializer)
    def get_comparison(self, candidate: Candidate) -> dict[str, Any] | None:
        comparison: selectors.Comparison | None = self.context.get("comparison")
        if comparison is None:
            return None
        column = next(c for c in comparison.columns if c.candidate.pk == candidate.pk)
        return CandidateComparisonSerializer(  # type: ignore[return-value]
            CandidateComparisonSerializer.of(comparison, column)
        ).data


class CandidateEvaluationSerializer(serializers.ModelSerializer[CandidateScore]):
    """One evaluator's 1-5 score of a candidate on one criterion."""

    selection = serializers.IntegerField(source="candidate.selection_id", read_only=True)
    candidate_name = serializers.CharField(source="candidate.name", read_only=True)
    criterion = serializers.CharField(source="criterion.key", read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)
    evaluator = serializers.EmailField(source="evaluator.email", read_only=True)
    evaluator_name = serializers.CharField(source="evaluator.display_name", read_only=True)

    class Meta:
        model = CandidateScore
        fields = [
            "id",
            "selection",
            "candidate",
            "candidate_name",
            "criterion",
            "criterion_name",
            "evaluator",
            "evaluator_name",
            "score",
            "evidence",
            "updated_at",
        ]
        read_only_fields = fields


class CandidateScoreInputSerializer(serializers.Serializer[Any]):
    criterion = serializers.CharField(max_length=40, help_text="The criterion's key.")
    # The range is the service's rule: its message names the criterion.
    score = serializers.IntegerField(allow_null=True, help_text="1-5; null removes your score.")
    evidence = serializers.CharField(allow_blank=True, default="")


class CandidateEvaluationInputSerializer(serializers.Serializer[Any]):
    candidate = ScopedPrimaryKeyRelatedField(queryset=Candidate.objects.select_related("selection"))
    scores = CandidateScoreInputSerializer(many=True, allow_empty=False)

    def score_inputs(self) -> list[services.ScoreInput]:
        return [
            services.ScoreInput(s["criterion"], s["score"], s["evidence"])
            for s in self.validated_data["scores"]
        ]


class CandidateScoreSheetSerializer(serializers.Serializer[Any]):
    """The caller's scores of the candidate after saving."""

    candidate = serializers.IntegerField()
    written = serializers.IntegerField(help_text="Scores written by this call.")
    scores = CandidateEvaluationSerializer(many=True)


# ENGAGEMENT STAGES
# ------------------------------------------------------------------------------


def stage_kind_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=StageKind.choices, enum_name="StageKindEnum", **kwargs)


def expansion_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=Expansion.choices, enum_name="StageExpansionEnum", **kwargs)


class StageSerializer(serializers.ModelSerializer[EngagementStage]):
    """A stage of the engagement; for an expansion step, its gate as it stood when approved.
    Expects the view's prefetch of interaction types."""

    kind = stage_kind_field(read_only=True)
    expansion = expansion_field(read_only=True)
    title = serializers.CharField(read_only=True)
    channels = serializers.ListField(child=channel_field(), read_only=True)
    interaction_types = serializers.SerializerMethodField()
    shifts = serializers.ListField(child=shift_field(), read_only=True)
    gate_reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Why the gate was red."
    )
    approved_despite_red = serializers.BooleanField(read_only=True)

    class Meta:
        model = EngagementStage
        fields = [
            "id",
            "partner",
            "kind",
            "expansion",
            "title",
            "description",
            "started_on",
            "ended_on",
            "channels",
            "interaction_types",
            "shifts",
            "ramp_weeks",
            "ramp_flag",
            "gate_months",
            "alignment_threshold_pct",
            "gate_green",
            "gate_reasons",
            "gate_alignment",
            "override_reason",
            "approved_despite_red",
            "back_reason",
            "approved_by_label",
            "created_at",
        ]
        read_only_fields = fields

    def get_interaction_types(self, stage: EngagementStage) -> list[str]:
        return [t.code for t in stage.interaction_types.all()]


class StageInputSerializer(serializers.Serializer[Any]):
    """The next stage of a partner's engagement. An expansion step is gated on the last
    `gate_months` complete months at SLA and calibration alignment."""

    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    kind = stage_kind_field()
    expansion = expansion_field(default="", help_text="What an expansion step adds.")
    description = serializers.CharField(max_length=300, allow_blank=True, default="")
    started_on = serializers.DateField(required=False, help_text="Default: today.")
    channels = serializers.ListField(child=channel_field(), default=list)
    interaction_types = serializers.ListField(
        child=serializers.CharField(max_length=50), default=list, help_text="Codes."
    )
    shifts = serializers.ListField(child=shift_field(), default=list)
    ramp_weeks = serializers.IntegerField(min_value=0, max_value=520, allow_null=True, default=None)
    gate_months = serializers.IntegerField(min_value=1, max_value=12, default=2)
    alignment_threshold_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        default=Decimal(85),
    )
    override_reason = serializers.CharField(
        allow_blank=True, default="", help_text="Why expand despite a red gate."
    )
    back_reason = serializers.CharField(
        allow_blank=True, default="", help_text="Why the engagement moves back."
    )


# COST PER RESOLVED CONTACT
# ------------------------------------------------------------------------------


class CostQuerySerializer(serializers.Serializer[Any]):
    partner = serializers.IntegerField()
    months = serializers.IntegerField(min_value=1, max_value=24, default=6)


class CostFiguresSerializer(serializers.Serializer[Any]):
    headline = _money(help_text="Charges on the partner's invoice.")
    loaded = _money(help_text="Headline plus the contract's loaded-cost components.")
    governance = _money(help_text="The buyer's governance cost allotted by contacts.")
    total = _money(help_text="Loaded plus governance.")
    resolved = serializers.IntegerField(help_text="First-contact resolutions.")
    cost_per_resolved = _figure(2, source="per_resolved", help_text="Total / resolved.")


class CostRowSerializer(CostFiguresSerializer):
    month = serializers.DateField()
    channel = serializers.ChoiceField(choices=Channel.choices)


class CostTotalSerializer(CostFiguresSerializer):
    month = serializers.DateField()


class InHouseCostSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=Channel.choices)
    cost_per_resolved = _figure(2, help_text="The in-house baseline's cost per resolved contact.")


class CostSerializer(serializers.Serializer[Any]):
    """One partner's loaded cost per channel and month, and what it cost per resolved
    contact, beside the in-house team's."""

    partner = serializers.IntegerField()
    currency = serializers.CharField(allow_null=True, help_text="Null: no settlement or scope.")
    months = serializers.ListField(child=serializers.DateField(), help_text="Oldest first.")
    governance_monthly = _money()
    rows = CostRowSerializer(many=True, help_text="Per month and channel, months with invoices.")
    totals = CostTotalSerializer(many=True, help_text="Every channel of a month.")
    in_house = InHouseCostSerializer(many=True)
    in_house_overall = _figure(2)

    @staticmethod
    def of(partner: Partner, view: selectors.CostView) -> dict[str, Any]:
        def figures(cost: domain.MonthCost, **keys: Any) -> dict[str, Any]:
            return {**keys, **asdict(cost), "total": cost.total, "per_resolved": cost.per_resolved}

        return {
            "partner": partner.pk,
            "currency": view.currency,
            "months": view.months,
            "governance_monthly": view.governance_monthly,
            "rows": [
                figures(view.cells[(channel, month)], month=month, channel=channel)
                for month in view.months
                for channel in view.channels
                if (channel, month) in view.cells
            ],
            "totals": [
                figures(view.totals[month], month=month)
                for month in view.months
                if month in view.totals
            ],
            "in_house": [
                {"channel": channel, "cost_per_resolved": cost}
                for channel, cost in view.in_house.items()
            ],
            "in_house_overall": view.in_house_overall,
        }


class WhatIfQuerySerializer(serializers.Serializer[Any]):
    partner = serializers.IntegerField()


class WhatIfQuarterSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    start = serializers.DateField()
    end = serializers.DateField()


class WhatIfVolumesSerializer(serializers.Serializer[Any]):
    hours = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    fte = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    contacts = serializers.IntegerField()
    resolved = serializers.IntegerField()


class WhatIfRowSerializer(serializers.Serializer[Any]):
    model = serializers.CharField(help_text="per_hour, per_fte, per_contact, ...")
    label = serializers.CharField()  # type: ignore[assignment]
    rate_text = serializers.CharField(help_text="The equivalent rate, in words.")
    amount = _figure(4, help_text="The quarter's actual volumes at that rate.")
    difference = _figure(4, help_text="Amount minus what was invoiced.")
    current = serializers.BooleanField(help_text="The partner's contract uses this model.")


class WhatIfSerializer(serializers.Serializer[Any]):
    """Last complete quarter priced under each pricing model, each rate set so that the
    scope's forecast would have cost what the contract charges for it (`planned_cost`)."""

    partner = serializers.IntegerField()
    quarter = WhatIfQuarterSerializer(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    actual_cost = _figure(4, help_text="What the partner invoiced in the quarter.")
    planned_cost = _figure(4, help_text="What the contract would have charged for the forecast.")
    actual = WhatIfVolumesSerializer(allow_null=True)
    expected = WhatIfVolumesSerializer(
        allow_null=True, help_text="The forecast at the in-house FCR."
    )
    expected_fcr_pct = _figure(1)
    rows = WhatIfRowSerializer(many=True)
    note = serializers.CharField(allow_blank=True, help_text="Why there are no rows, if so.")

    @staticmethod
    def of(partner: Partner, what_if: selectors.WhatIf | None) -> dict[str, Any]:
        if what_if is None:
            return {
                "partner": partner.pk,
                "quarter": None,
                "currency": None,
                "actual_cost": None,
                "planned_cost": None,
                "actual": None,
                "expected": None,
                "expected_fcr_pct": None,
                "rows": [],
                "note": (
                    "Nothing to price: the partner needs a scope of work and a settlement in "
                    "the last complete quarter."
                ),
            }
        return {
            "partner": partner.pk,
            "quarter": {
                "label": what_if.quarter.label,
                "start": what_if.quarter.start,
                "end": what_if.quarter.end,
            },
            "currency": what_if.currency,
            "actual_cost": what_if.actual_cost,
            "planned_cost": what_if.planned_cost,
            "actual": what_if.actual,
            "expected": what_if.expected,
            "expected_fcr_pct": what_if.expected_fcr_pct,
            "rows": [{**asdict(row), "model": row.model.value} for row in what_if.rows],
            "note": "",
        }
