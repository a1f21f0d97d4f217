"""The selection that chooses a partner: its criteria, the candidates with their quotes
(rate cards), and the evaluators' scores and red flags."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.scoping import TenantScope
from engagements import domain
from engagements.models.fields import STAFF, money_field, percent_field
from partners.models import Account, DeliveryModel, Partner
from sla import domain as sla_domain
from sla.models import (
    LOADED_COMPONENTS,
    NOT_NEGATIVE,
    PricedLine,
    channel_order,
    one_line_per_channel_and_type,
)


class SelectionStatus(models.TextChoices):
    OPEN = "open", "Evaluating"
    CHOSEN = "chosen", "Partner chosen"


class Selection(models.Model):
    """Choosing a partner among candidates, against the scope the buyer wants to outsource."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="selections")
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.OPEN
    )
    currency = models.CharField(max_length=3, default="USD")
    assumed_fcr_pct = percent_field(
        default=Decimal(75), help_text="Share of contacts resolved, to price per resolution."
    )
    handle_minutes = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal(6),
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="Handled minutes per contact, wrap-up included (to price hours and FTE).",
    )
    productive_hours_per_fte = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        default=Decimal(120),
        validators=[MinValueValidator(Decimal(1))],
        help_text="Handled hours one FTE delivers a month, after shrinkage.",
    )
    created_by = models.ForeignKey(STAFF, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    tenant_scope = TenantScope(account="account", buyer_only=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def assumptions(self) -> domain.Assumptions:
        return domain.Assumptions(
            self.assumed_fcr_pct / 100, self.handle_minutes, self.productive_hours_per_fte
        )


class SelectionCriterion(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    help = models.CharField(max_length=300, blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2, validators=NOT_NEGATIVE)
    position = models.PositiveSmallIntegerField()

    tenant_scope = TenantScope(account="selection__account", buyer_only=True)

    class Meta:
        ordering = ["selection", "position"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "key"], name="criterion_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def as_domain(self) -> domain.Criterion:
        return domain.Criterion(self.key, self.name, self.weight, self.help)


class AttritionTrend(models.TextChoices):
    FALLING = "falling", "Falling"
    STABLE = "stable", "Stable"
    RISING = "rising", "Rising"
    UNKNOWN = "unknown", "Not stated"


# What people enter on a candidate (forms and API alike); its quote is its rate card
# (`CandidateRate`).
CANDIDATE_FIELDS = (
    "name", "delivery_model", "country", "operations_manager",
    *(name for name, _ in LOADED_COMPONENTS), "attrition_pct", "attrition_trend", "notes",
)  # fmt: skip


class Candidate(models.Model):
    """A BPO bidding in a selection, with its quote (its rate card, `rates`) and the
    loaded-cost components on top of every headline rate of it."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=200)
    delivery_model = models.CharField(max_length=20, choices=DeliveryModel.choices)
    country = models.CharField(max_length=100, blank=True)
    operations_manager = models.CharField(
        max_length=200, blank=True, help_text="Who would run our floor, by name."
    )
    wfm_pct = percent_field(default=Decimal(0))
    qa_pct = percent_field(default=Decimal(0))
    team_leads_pct = percent_field(default=Decimal(0))
    training_pct = percent_field(default=Decimal(0))
    technology_pct = percent_field(default=Decimal(0))
    facilities_pct = percent_field(default=Decimal(0))
    shrinkage_pct = percent_field(default=Decimal(0))
    attrition_pct = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(300))],
        help_text="Annualised agent attrition as the candidate states it; empty if it won't.",
    )
    attrition_trend = models.CharField(
        max_length=10, choices=AttritionTrend.choices, default=AttritionTrend.UNKNOWN
    )
    notes = models.TextField(blank=True)
    partner = models.OneToOneField(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
        help_text="The partner this candidate became when it was chosen.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="selection__account", buyer_only=True)

    class Meta:
        ordering = ["selection", "name"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "name"], name="candidate_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def components(self) -> dict[str, Decimal]:
        return {label: getattr(self, name) for name, label in LOADED_COMPONENTS}

    @property
    def loaded_pct(self) -> Decimal:
        return sum(self.components.values(), Decimal(0))

    @property
    def quote(self) -> domain.Quote:
        """The quote as domain values (uses prefetched `rates__interaction_type`)."""
        return domain.Quote(tuple(line.spec for line in self.rates.all()), self.components)


class CandidateRate(PricedLine):
    """One line of a candidate's quote, as a contract's rate card has them (docs/sla.md,
    "Rate cards"): the price of one channel's work, or of one interaction type on it."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="rates")
    rate = money_field(
        validators=NOT_NEGATIVE,
        help_text="As quoted: per hour, per FTE-month, per contact, per resolved contact, or "
        "the monthly fee (outcome-based).",
    )

    tenant_scope = TenantScope(account="candidate__selection__account", buyer_only=True)

    class Meta:
        ordering = channel_order("candidate")
        constraints = one_line_per_channel_and_type("candidate", "candidate_rate")

    def __str__(self) -> str:
        return f"{self.candidate}: {self.what}, {self.get_pricing_model_display()}"

    @property
    def loaded_rate(self) -> Decimal:
        """The rate with the candidate's loaded-cost components on top."""
        return sla_domain.loaded_rate(self.rate, self.candidate.components)

    @property
    def loaded_resolution_bonus(self) -> Decimal:
        return sla_domain.loaded_rate(self.resolution_bonus, self.candidate.components)


class CandidateScore(models.Model):
    """One buyer evaluator's 1-5 score of one candidate on one criterion, with evidence."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        SelectionCriterion, on_delete=models.CASCADE, related_name="scores"
    )
    evaluator = models.ForeignKey(STAFF, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(domain.SCORE_MIN), MaxValueValidator(domain.SCORE_MAX)]
    )
    evidence = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_scope = TenantScope(account="candidate__selection__account", buyer_only=True)

    class Meta:
        ordering = ["candidate", "criterion__position", "evaluator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "criterion", "evaluator"], name="score_one_per_evaluator"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=domain.SCORE_MIN, score__lte=domain.SCORE_MAX),
                name="candidate_score_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} {self.criterion.key} {self.score}"


class CandidateRedFlag(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="red_flags")
    kind = models.CharField(
        max_length=30, choices=[(k.value, v) for k, v in domain.RED_FLAG_LABELS.items()]
    )
    note = models.CharField(max_length=500, blank=True)
    raised_by = models.ForeignKey(STAFF, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="candidate__selection__account", buyer_only=True)

    class Meta:
        ordering = ["candidate", "created_at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
