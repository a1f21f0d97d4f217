"""The engagement with a partner before and around the scorecards: the versioned scope of
work, the selection that chose the partner, and the stages the engagement has moved
through with their gates. The rules live in `engagements.domain`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.scoping import TenantScope
from engagements import domain
from partners.models import Account, Channel, DeliveryModel, InteractionType, Partner
from sla import domain as sla_domain
from sla.models import HYBRID_BASE_CHOICES, LOADED_COMPONENTS, NOT_NEGATIVE, PERCENT, PricingModel

_STAFF = settings.AUTH_USER_MODEL


def _money(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=16, decimal_places=4, **kwargs)  # type: ignore[arg-type]


def _pct(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT, **kwargs)  # type: ignore[arg-type]


class Shift(models.TextChoices):
    BUSINESS_HOURS = (
        domain.Shift.BUSINESS_HOURS.value,
        domain.SHIFT_LABELS[domain.Shift.BUSINESS_HOURS],
    )
    AFTER_HOURS = domain.Shift.AFTER_HOURS.value, domain.SHIFT_LABELS[domain.Shift.AFTER_HOURS]
    WEEKEND = domain.Shift.WEEKEND.value, domain.SHIFT_LABELS[domain.Shift.WEEKEND]
    ALL_DAY = domain.Shift.ALL_DAY.value, domain.SHIFT_LABELS[domain.Shift.ALL_DAY]


# SELECTION
# ------------------------------------------------------------------------------


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
    assumed_fcr_pct = _pct(
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
    created_by = models.ForeignKey(_STAFF, on_delete=models.SET_NULL, null=True, related_name="+")
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
    wfm_pct = _pct(default=Decimal(0))
    qa_pct = _pct(default=Decimal(0))
    team_leads_pct = _pct(default=Decimal(0))
    training_pct = _pct(default=Decimal(0))
    technology_pct = _pct(default=Decimal(0))
    facilities_pct = _pct(default=Decimal(0))
    shrinkage_pct = _pct(default=Decimal(0))
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


class CandidateRate(models.Model):
    """One line of a candidate's quote, as a contract's rate card has them (docs/sla.md,
    "Rate cards"): the price of one channel's work, or of one interaction type on it. The
    channel's line without a type prices every contact no typed line prices."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="rates")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    interaction_type = models.ForeignKey(
        InteractionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: every contact of the channel that no line of its own type prices.",
    )
    pricing_model = models.CharField(max_length=20, choices=PricingModel.choices)
    rate = _money(
        validators=NOT_NEGATIVE,
        help_text="As quoted: per hour, per FTE-month, per contact, per resolved contact, or "
        "the monthly fee (outcome-based).",
    )
    hybrid_base = models.CharField(
        max_length=20, choices=HYBRID_BASE_CHOICES, blank=True, help_text="Hybrid: the base."
    )
    resolution_bonus = _money(
        default=Decimal(0), validators=NOT_NEGATIVE, help_text="Hybrid: per resolved contact."
    )

    tenant_scope = TenantScope(account="candidate__selection__account", buyer_only=True)

    class Meta:
        # The channels in their usual order; each channel's own rate before its types'.
        ordering = [
            "candidate",
            models.Case(
                *(models.When(channel=c, then=models.Value(i)) for i, c in enumerate(Channel)),
                output_field=models.IntegerField(),
            ).asc(),
            models.F("interaction_type__name").asc(nulls_first=True),
            "pk",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "channel"],
                condition=Q(interaction_type__isnull=True),
                name="candidate_rate_unique_channel",
            ),
            models.UniqueConstraint(
                fields=["candidate", "channel", "interaction_type"],
                condition=Q(interaction_type__isnull=False),
                name="candidate_rate_unique_channel_type",
            ),
        ]

    def __str__(self) -> str:
        what = self.get_channel_display()
        if self.interaction_type_id:
            what += f" {self.interaction_type}"
        return f"{self.candidate}: {what}, {self.get_pricing_model_display()}"

    @property
    def pricing(self) -> sla_domain.Pricing:
        return sla_domain.Pricing(
            sla_domain.PricingModel(self.pricing_model),
            self.rate,
            sla_domain.PricingModel(self.hybrid_base) if self.hybrid_base else None,
            self.resolution_bonus,
        )

    @property
    def spec(self) -> sla_domain.RateLine:
        kind = self.interaction_type
        return sla_domain.RateLine(
            self.channel, self.pricing, kind.code if kind else "", kind.name if kind else ""
        )

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
    evaluator = models.ForeignKey(_STAFF, on_delete=models.CASCADE, related_name="+")
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
    raised_by = models.ForeignKey(_STAFF, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="candidate__selection__account", buyer_only=True)

    class Meta:
        ordering = ["candidate", "created_at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


# SCOPE OF WORK
# ------------------------------------------------------------------------------


class ScopeVersion(models.Model):
    """One version of a statement of work, held as data. Saving a scope writes the next
    version; earlier versions stay as they were. A selection's scope becomes the chosen
    partner's."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scopes")
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="scopes"
    )
    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, null=True, blank=True, related_name="scopes"
    )
    version = models.PositiveIntegerField()
    monthly_volume = models.PositiveIntegerField(help_text="Forecast contacts in a typical month.")
    first_month = models.DateField(help_text="First month of the forecast (its first day).")
    shifts = models.JSONField(default=list)
    languages = models.CharField(max_length=200, blank=True, help_text="e.g. English, Spanish")
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="Where the shifts' hours are read."
    )
    currency = models.CharField(max_length=3, default="USD")
    governance_fte = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.5"),
        validators=NOT_NEGATIVE,
        help_text="The buyer's own program-management FTEs governing this partner.",
    )
    governance_fte_cost = _money(
        default=Decimal(0),
        validators=NOT_NEGATIVE,
        help_text="Monthly loaded cost of one program-management FTE.",
    )
    note = models.CharField(max_length=300, blank=True, help_text="What changed, and why.")
    created_by = models.ForeignKey(_STAFF, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="account", partner="partner")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "version"],
                condition=Q(partner__isnull=False),
                name="scope_unique_partner_version",
            ),
            models.UniqueConstraint(
                fields=["selection", "version"],
                condition=Q(partner__isnull=True),
                name="scope_unique_selection_version",
            ),
            models.CheckConstraint(
                condition=Q(partner__isnull=False) | Q(selection__isnull=False),
                name="scope_has_owner",
            ),
        ]

    def __str__(self) -> str:
        owner = self.partner or self.selection
        return f"{owner} scope v{self.version}"

    @property
    def governance_monthly(self) -> Decimal:
        return self.governance_fte * self.governance_fte_cost

    @property
    def shift_values(self) -> list[domain.Shift]:
        return [domain.Shift(s) for s in self.shifts]

    def get_shifts_display(self) -> str:
        return ", ".join(domain.SHIFT_LABELS[s] for s in self.shift_values)


class ScopeLine(models.Model):
    """Forecast contacts a month for one channel and interaction type."""

    scope = models.ForeignKey(ScopeVersion, on_delete=models.CASCADE, related_name="lines")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    interaction_type = models.ForeignKey(
        InteractionType, on_delete=models.PROTECT, related_name="+"
    )
    contacts = models.PositiveIntegerField()

    tenant_scope = TenantScope(account="scope__account", partner="scope__partner")

    class Meta:
        ordering = ["scope", "channel", "interaction_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "channel", "interaction_type"], name="scope_line_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.interaction_type_id}: {self.contacts}"


class ForecastMonth(models.Model):
    """A month whose forecast differs from the typical monthly volume (seasonality)."""

    scope = models.ForeignKey(ScopeVersion, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()
    contacts = models.PositiveIntegerField()

    tenant_scope = TenantScope(account="scope__account", partner="scope__partner")

    class Meta:
        ordering = ["scope", "month"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "month"], name="forecast_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.contacts}"


class BaselineSource(models.TextChoices):
    ENTERED = "entered", "Entered"
    IN_HOUSE = "in_house", "Computed from in-house data"


class Baseline(models.Model):
    """What the in-house team achieves on one channel: the partner must match or beat it."""

    scope = models.ForeignKey(ScopeVersion, on_delete=models.CASCADE, related_name="baselines")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    csat_pct = _pct(null=True, blank=True)
    fcr_pct = _pct(null=True, blank=True)
    aht_seconds = models.PositiveIntegerField(null=True, blank=True)
    frt_seconds = models.PositiveIntegerField(null=True, blank=True)
    cost_per_contact = _money(
        null=True, blank=True, validators=NOT_NEGATIVE, help_text="In-house, fully loaded."
    )
    source = models.CharField(
        max_length=10, choices=BaselineSource.choices, default=BaselineSource.ENTERED
    )

    tenant_scope = TenantScope(account="scope__account", partner="scope__partner")

    class Meta:
        ordering = ["scope", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "channel"], name="baseline_one_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} baseline"

    @property
    def cost_per_resolved(self) -> Decimal | None:
        if self.cost_per_contact is None or not self.fcr_pct:
            return None
        return domain.in_house_per_resolved(self.cost_per_contact, self.fcr_pct)


class ItemKind(models.TextChoices):
    ESCALATION = "escalation", "Escalation criterion (comes back in-house)"
    COMPLIANCE = "compliance", "Compliance requirement"


class Framework(models.TextChoices):
    NONE = "", "—"
    PCI = "pci", "PCI DSS"
    HIPAA = "hipaa", "HIPAA"
    GDPR = "gdpr", "GDPR"
    SOC2 = "soc2", "SOC 2"
    REGIONAL = "regional", "Regional regulation"


class ScopeItem(models.Model):
    """A checklist item of the scope: an escalation criterion or a compliance requirement,
    with links to its evidence."""

    scope = models.ForeignKey(ScopeVersion, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    framework = models.CharField(max_length=20, choices=Framework.choices, blank=True)
    text = models.CharField(max_length=300)
    evidence = models.JSONField(default=list, blank=True, help_text="Links to the evidence.")
    done = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    tenant_scope = TenantScope(account="scope__account", partner="scope__partner")

    class Meta:
        ordering = ["scope", "kind", "position", "pk"]

    def __str__(self) -> str:
        return self.text


# ENGAGEMENT STAGES
# ------------------------------------------------------------------------------


class StageKind(models.TextChoices):
    SELECTION = domain.StageKind.SELECTION.value, "Selection"
    PILOT = domain.StageKind.PILOT.value, "Pilot"
    EXPANSION = domain.StageKind.EXPANSION.value, "Expansion"
    STEADY_STATE = domain.StageKind.STEADY_STATE.value, "Steady state"
    EXIT = domain.StageKind.EXIT.value, "Exit"


class Expansion(models.TextChoices):
    NONE = "", "—"
    INTERACTION_TYPE = (
        domain.Expansion.INTERACTION_TYPE.value,
        domain.EXPANSION_LABELS[domain.Expansion.INTERACTION_TYPE],
    )
    CHANNEL = domain.Expansion.CHANNEL.value, domain.EXPANSION_LABELS[domain.Expansion.CHANNEL]
    SHIFTS = domain.Expansion.SHIFTS.value, domain.EXPANSION_LABELS[domain.Expansion.SHIFTS]
    BRAND_SENSITIVE = (
        domain.Expansion.BRAND_SENSITIVE.value,
        domain.EXPANSION_LABELS[domain.Expansion.BRAND_SENSITIVE],
    )


class EngagementStage(models.Model):
    """A stage of the engagement, with its dates, the scope it adds, and for an expansion
    step the gate as it stood when the step was approved."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(max_length=20, choices=StageKind.choices)
    expansion = models.CharField(max_length=20, choices=Expansion.choices, blank=True)
    description = models.CharField(max_length=300, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    channels = models.JSONField(default=list, blank=True)
    interaction_types = models.ManyToManyField(InteractionType, blank=True, related_name="+")
    shifts = models.JSONField(default=list, blank=True)
    ramp_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Planned weeks to full volume on what this stage adds."
    )
    ramp_flag = models.CharField(max_length=300, blank=True)
    gate_months = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    alignment_threshold_pct = _pct(default=Decimal(85))
    gate_green = models.BooleanField(null=True, blank=True)
    gate_reasons = models.JSONField(default=list, blank=True)
    gate_alignment = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why the step was approved despite a red gate."
    )
    back_reason = models.TextField(blank=True, help_text="Why the engagement moved back.")
    approved_by = models.ForeignKey(
        _STAFF, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["partner", "started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="stage_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.title}"

    @property
    def title(self) -> str:
        if self.kind == StageKind.EXPANSION and self.expansion:
            return f"Expansion: {self.get_expansion_display().lower()}"
        return self.get_kind_display()

    @property
    def approved_despite_red(self) -> bool:
        return self.gate_green is False and bool(self.override_reason)
