"""Partner selection over REST: candidates with their quotes (rate cards) and red flags,
their column of the comparison, and evaluators' scores."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.rest import NamedChoiceField
from engagements import domain, selectors, services
from engagements.api.serializers.fields import channel_field, figure_field
from engagements.models import (
    CANDIDATE_FIELDS,
    AttritionTrend,
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    CandidateScore,
    Selection,
)
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from sla.api.serializers import RateLineSerializer


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
    loaded_above_cheapest = figure_field(
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

    score = figure_field(2, help_text="Median of the complete sheets' weighted scores, 1-5.")
    low = figure_field(2, help_text="Lowest complete sheet.")
    high = figure_field(2, help_text="Highest complete sheet.")
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
