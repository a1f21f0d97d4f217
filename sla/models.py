"""Contracts and what they make of the KPI data: SLAs with banded KPIs per channel, the band
each KPI stands in every month, settlements with credits and bonuses, remediation plans and
exit criteria.

The rules themselves (band layouts, evaluation, money) live in `sla.domain`; these models
hold their inputs and their results, and convert to the domain's types.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.scoping import TenantScope
from partners.models import Channel, InteractionType, Partner
from sla import domain

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


def _money_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=16, decimal_places=4, **kwargs)  # type: ignore[arg-type]


def _pct_field(default: str = "0", **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(default), validators=PERCENT, **kwargs
    )  # type: ignore[arg-type]


class PricingModel(models.TextChoices):
    PER_HOUR = domain.PricingModel.PER_HOUR.value, "Per agent hour"
    PER_FTE = domain.PricingModel.PER_FTE.value, "Per FTE per month"
    PER_CONTACT = domain.PricingModel.PER_CONTACT.value, "Per contact"
    PER_RESOLVED = domain.PricingModel.PER_RESOLVED.value, "Per resolved contact"
    OUTCOME = domain.PricingModel.OUTCOME.value, "Outcome-based (monthly fee earned through bands)"
    HYBRID = domain.PricingModel.HYBRID.value, "Hybrid (base plus a bonus per resolved contact)"


HYBRID_BASE_CHOICES = [(m.value, m.label) for m in PricingModel if m.value in domain.HYBRID_BASES]

# Loaded-cost components on top of the headline rate (DOMAIN.md: "Headline rate is not loaded
# rate"): field name, label.
LOADED_COMPONENTS = (
    ("wfm_pct", "Workforce management"),
    ("qa_pct", "Quality assurance"),
    ("team_leads_pct", "Team leads"),
    ("training_pct", "Training"),
    ("technology_pct", "Technology"),
    ("facilities_pct", "Facilities"),
    ("shrinkage_pct", "Shrinkage"),
)


# What people enter on a contract (forms and API alike).
CONTRACT_FIELDS = (
    "partner", "name", "start_date", "end_date", "currency", "notice_days",
    *(name for name, _ in LOADED_COMPONENTS), "credit_cap_pct", "bonus_cap_pct",
)  # fmt: skip
# What people enter on each line of its rate card.
RATE_FIELDS = (
    "channel", "interaction_type", "pricing_model", "rate", "hybrid_base", "resolution_bonus",
)  # fmt: skip


class Contract(models.Model):
    """What the buyer pays a partner, and how much of it quality puts at stake. The price is
    its rate card (`rates`): one line per channel, optionally one per interaction type."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contracts")
    name = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    currency = models.CharField(max_length=3, help_text="ISO 4217 code: USD, EUR, GBP, ...")
    notice_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days of notice to end the contract (30-60 are common)."
    )
    wfm_pct = _pct_field()
    qa_pct = _pct_field()
    team_leads_pct = _pct_field()
    training_pct = _pct_field()
    technology_pct = _pct_field()
    facilities_pct = _pct_field()
    shrinkage_pct = _pct_field()
    credit_cap_pct = _pct_field(
        "10", help_text="At-risk cap: the largest share of a month's invoice credits can take."
    )
    bonus_cap_pct = _pct_field("5", help_text="The largest share of a month's invoice bonuses add.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["partner__name", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start",
                violation_error_message="A contract cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.name}"

    @property
    def loaded_components(self) -> dict[str, Decimal]:
        return {label: getattr(self, name) for name, label in LOADED_COMPONENTS}

    @property
    def loaded_pct(self) -> Decimal:
        return sum(self.loaded_components.values(), Decimal(0))

    def rate_lines(self) -> list[domain.RateLine]:
        """The rate card as domain values (uses prefetched `rates__interaction_type`)."""
        return [line.spec for line in self.rates.all()]

    @property
    def channels(self) -> list[str]:
        """The channels its rate card prices, in the usual channel order."""
        priced = {line.channel for line in self.rates.all()}
        return [c for c in Channel.values if c in priced]

    @property
    def months(self) -> tuple[date, date]:
        """The first days of its first and last month: settlements are monthly."""
        return self.start_date.replace(day=1), self.end_date.replace(day=1)

    def covers(self, month: date) -> bool:
        """Whether the contract runs during any day of the month starting `month`."""
        next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        return self.start_date < next_month and self.end_date >= month


class RateLine(models.Model):
    """One line of a contract's rate card: the price of one channel's work, or of one
    interaction type on that channel (complaints above order status). The channel's line
    without a type prices every contact no typed line prices; hours, FTE and monthly fees
    cannot be split by type, so typed lines price contacts (docs/sla.md, "Rate cards")."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="rates")
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
    rate = _money_field(
        validators=NOT_NEGATIVE,
        help_text="Per hour, per FTE-month, per contact, per resolved contact, or the monthly "
        "fee (outcome-based).",
    )
    hybrid_base = models.CharField(
        max_length=20, choices=HYBRID_BASE_CHOICES, blank=True, help_text="Hybrid: the base."
    )
    resolution_bonus = _money_field(
        default=Decimal(0), validators=NOT_NEGATIVE, help_text="Hybrid: per resolved contact."
    )

    tenant_scope = TenantScope(account="contract__partner__account", partner="contract__partner")

    class Meta:
        # The channels in their usual order; each channel's own rate before its types'.
        ordering = [
            "contract",
            models.Case(
                *(models.When(channel=c, then=models.Value(i)) for i, c in enumerate(Channel)),
                output_field=models.IntegerField(),
            ).asc(),
            models.F("interaction_type__name").asc(nulls_first=True),
            "pk",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "channel"],
                condition=Q(interaction_type__isnull=True),
                name="rate_unique_channel",
            ),
            models.UniqueConstraint(
                fields=["contract", "channel", "interaction_type"],
                condition=Q(interaction_type__isnull=False),
                name="rate_unique_channel_type",
            ),
        ]

    def __str__(self) -> str:
        what = self.get_channel_display()
        if self.interaction_type_id:
            what += f" {self.interaction_type}"
        return f"{what}: {self.get_pricing_model_display()}"

    @property
    def pricing(self) -> domain.Pricing:
        return domain.Pricing(
            domain.PricingModel(self.pricing_model),
            self.rate,
            domain.PricingModel(self.hybrid_base) if self.hybrid_base else None,
            self.resolution_bonus,
        )

    @property
    def spec(self) -> domain.RateLine:
        kind = self.interaction_type
        return domain.RateLine(
            self.channel, self.pricing, kind.code if kind else "", kind.name if kind else ""
        )

    @property
    def loaded_rate(self) -> Decimal:
        return domain.loaded_rate(self.rate, self.contract.loaded_components)


class ChannelVolume(models.Model):
    """Agent hours or FTE billed for one channel and month, entered or uploaded (contacts and
    resolved contacts come from KPI data)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="volumes")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    month = models.DateField(help_text="First day of the month.")
    hours = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    fte = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    tenant_scope = TenantScope(account="contract__partner__account", partner="contract__partner")

    class Meta:
        ordering = ["contract", "month", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "channel", "month"], name="volume_unique_channel_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.channel} {self.month:%Y-%m}"


class Sla(models.Model):
    """The KPIs a contract governs, per channel, each with its bands."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="slas")
    name = models.CharField(max_length=200)
    plan_exit_periods = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="A remediation plan closes after this many consecutive months at SLA.",
    )
    remediation_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A new remediation plan is due this many days after it opens.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="contract__partner__account", partner="contract__partner")

    class Meta:
        ordering = ["contract", "name"]
        verbose_name = "SLA"

    def __str__(self) -> str:
        return self.name


KPI_CHOICES = [(k.key, k.label) for k in domain.GOVERNABLE.values()]


class GovernedKpi(models.Model):
    """One KPI on one channel under an SLA, with its bands and its minimum sample."""

    sla = models.ForeignKey(Sla, on_delete=models.CASCADE, related_name="governed")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kpi = models.CharField(max_length=20, choices=KPI_CHOICES)
    guardrail = models.BooleanField(
        default=False,
        help_text="Opens a review, never moves money (AHT and other efficiency KPIs).",
    )
    min_sample = models.PositiveIntegerField(
        default=domain.DEFAULT_MIN_SAMPLE,
        validators=[MinValueValidator(1)],
        help_text="Below this many observations in a month no band is decided and no money "
        "moves, whichever band the value is in.",
    )

    tenant_scope = TenantScope(
        account="sla__contract__partner__account", partner="sla__contract__partner"
    )

    class Meta:
        ordering = ["sla", "channel", "kpi"]
        constraints = [
            models.UniqueConstraint(fields=["sla", "channel", "kpi"], name="governed_unique_kpi"),
        ]

    def __str__(self) -> str:
        return f"{self.definition.label} {self.get_channel_display()}"

    @property
    def definition(self) -> domain.GovernableKpi:
        return domain.governable(self.kpi)

    def band_specs(self) -> list[domain.Band]:
        """The bands as domain values, lowest first (uses a prefetched `bands` if present)."""
        return [b.spec for b in self.bands.all()]

    def set_bands(self, bands: Sequence[domain.Band]) -> None:
        """Replace the bands with these (checked by the caller), stored lowest first."""
        ordered = sorted(bands, key=lambda b: (b.lower is not None, b.lower or Decimal(0)))
        self.bands.all().delete()
        Band.objects.bulk_create(
            Band(
                governed=self, position=i, kind=b.kind.value, label=b.label, lower=b.lower,
                upper=b.upper, bonus_pct=b.bonus_pct, credit_pct=b.credit_pct,
                opens_remediation=b.opens_remediation,
            )
            for i, b in enumerate(ordered)
        )  # fmt: skip


class BandKind(models.TextChoices):
    BONUS = domain.BandKind.BONUS.value, "Bonus"
    BASE = domain.BandKind.BASE.value, "Base"
    REMEDIATION = domain.BandKind.REMEDIATION.value, "Remediation"
    PENALTY = domain.BandKind.PENALTY.value, "Penalty"
    CUSTOM = domain.BandKind.CUSTOM.value, "Custom"


BOUND = {"max_digits": 14, "decimal_places": 4, "null": True, "blank": True}


class Band(models.Model):
    """One band of a governed KPI, from `lower` to `upper` in the KPI's unit (percent as
    0-100). Adjacent bands share a bound; which of them holds it follows the KPI's direction
    (`domain.Band.contains`)."""

    governed = models.ForeignKey(GovernedKpi, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveSmallIntegerField()  # 0 = lowest values
    kind = models.CharField(max_length=20, choices=BandKind.choices)
    label = models.CharField(max_length=50, blank=True, help_text="Custom bands: their name.")
    lower = models.DecimalField(**BOUND)  # type: ignore[call-overload]
    upper = models.DecimalField(**BOUND)  # type: ignore[call-overload]
    bonus_pct = _pct_field()
    credit_pct = _pct_field()
    opens_remediation = models.BooleanField(default=False)

    tenant_scope = TenantScope(
        account="governed__sla__contract__partner__account",
        partner="governed__sla__contract__partner",
    )

    class Meta:
        ordering = ["governed", "position"]
        constraints = [
            models.UniqueConstraint(fields=["governed", "position"], name="band_unique_position"),
        ]

    def __str__(self) -> str:
        return self.spec.name

    @property
    def spec(self) -> domain.Band:
        return domain.Band(
            domain.BandKind(self.kind),
            self.lower,
            self.upper,
            self.bonus_pct,
            self.credit_pct,
            self.opens_remediation,
            self.label,
        )

    @property
    def bounds_text(self) -> str:
        return domain.bounds_text(self.spec, self.governed.definition)


class Decision(models.TextChoices):
    DECIDED = domain.Decision.DECIDED.value, "Decided"
    INSUFFICIENT = domain.Decision.INSUFFICIENT.value, "Insufficient data"
    NO_DATA = domain.Decision.NO_DATA.value, "No data"


class Heading(models.TextChoices):
    NONE = "", "On course"
    REMEDIATION = domain.Heading.REMEDIATION.value, "Heading for remediation"
    PENALTY = domain.Heading.PENALTY.value, "Heading for penalty"


VALUE = {"max_digits": 18, "decimal_places": 6, "null": True, "blank": True}


class BandStatus(models.Model):
    """Where one governed KPI stands in one month: recomputed nightly while the month is open.

    For the current month it also holds the projection to month end (early warning).
    """

    governed = models.ForeignKey(GovernedKpi, on_delete=models.CASCADE, related_name="statuses")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="band_statuses")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kpi = models.CharField(max_length=20, choices=KPI_CHOICES)
    month = models.DateField()
    value = models.DecimalField(**VALUE)  # type: ignore[call-overload]
    # The value as the explanation prints it: with the precision that keeps it in its band.
    value_text = models.CharField(max_length=40, blank=True)
    sample = models.PositiveIntegerField(default=0)
    low = models.DecimalField(**VALUE)  # type: ignore[call-overload]
    high = models.DecimalField(**VALUE)  # type: ignore[call-overload]
    band = models.ForeignKey(
        Band, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    band_kind = models.CharField(max_length=20, choices=BandKind.choices, blank=True)
    band_label = models.CharField(max_length=80, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    at_risk = models.BooleanField(default=False)
    month_complete = models.BooleanField(default=False)
    projected_value = models.DecimalField(**VALUE)  # type: ignore[call-overload]
    projected_low = models.DecimalField(**VALUE)  # type: ignore[call-overload]
    projected_high = models.DecimalField(**VALUE)  # type: ignore[call-overload]
    projected_band_label = models.CharField(max_length=80, blank=True)
    heading = models.CharField(max_length=20, choices=Heading.choices, blank=True)
    explanation = models.CharField(max_length=400)
    computed_at = models.DateTimeField()

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["partner", "-month", "channel", "kpi"]
        constraints = [
            models.UniqueConstraint(fields=["governed", "month"], name="band_status_unique_month"),
        ]
        indexes = [models.Index(fields=["partner", "month"])]
        verbose_name_plural = "band statuses"

    def __str__(self) -> str:
        return self.explanation


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", "Draft: recomputed nightly"
    APPROVED = "approved", "Approved: frozen"


class Settlement(models.Model):
    """A partner's month under a contract: the invoice, credits and bonuses after the caps.

    Approved settlements are frozen. When later data for the month would change the result,
    `latest_net` and `adjustment` show the difference, carried into the next month's
    settlement (`CarriedAdjustment`) when that one is computed.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="settlements")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="settlements")
    month = models.DateField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=SettlementStatus.choices, default=SettlementStatus.DRAFT
    )
    invoices = models.JSONField(default=dict)  # channel → {amount, explanation, missing}
    invoice_total = _money_field(default=Decimal(0))
    credit_gross = _money_field(default=Decimal(0))
    credit_cap = _money_field(default=Decimal(0))
    credit_total = _money_field(default=Decimal(0))
    bonus_gross = _money_field(default=Decimal(0))
    bonus_cap = _money_field(default=Decimal(0))
    bonus_total = _money_field(default=Decimal(0))
    carried = _money_field(default=Decimal(0))
    net = _money_field(default=Decimal(0))
    notes = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by_label = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    latest_net = _money_field(null=True, blank=True)
    # An approved month on the latest data, to show what its adjustment is made of.
    latest_invoices = models.JSONField(default=dict, blank=True)
    latest_invoice_total = _money_field(null=True, blank=True)
    latest_credit_total = _money_field(null=True, blank=True)
    latest_bonus_total = _money_field(null=True, blank=True)
    adjustment = _money_field(default=Decimal(0))
    adjustment_computed_at = models.DateTimeField(null=True, blank=True)
    # Set when an input of the month changed (data, volumes, bands, rates, caps) and cleared
    # by the evaluation that follows: until then its figures are out of date.
    stale_since = models.DateTimeField(null=True, blank=True)
    stale_reason = models.CharField(max_length=200, blank=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["partner__name", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="settlement_unique_month"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.month:%B %Y}"

    @property
    def is_approved(self) -> bool:
        return self.status == SettlementStatus.APPROVED

    @property
    def has_pending_adjustment(self) -> bool:
        return self.is_approved and self.adjustment != 0

    @property
    def is_current(self) -> bool:
        """Whether its figures follow every input as it stands now."""
        return self.stale_since is None


class CarriedAdjustment(models.Model):
    """An approved month's pending adjustment carried into a later month's settlement."""

    source = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="carried_out")
    target = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="carried_in")
    amount = _money_field()

    tenant_scope = TenantScope(account="target__partner__account", partner="target__partner")

    class Meta:
        ordering = ["target", "source__month"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="carry_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}: {self.amount}"


class LineBasis(models.TextChoices):
    SETTLED = "settled", "Settled"  # the lines behind the settlement's totals
    LATEST = "latest", "Latest data"  # an approved month recomputed on later data


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    basis = models.CharField(max_length=10, choices=LineBasis.choices, default=LineBasis.SETTLED)
    position = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kpi = models.CharField(max_length=20, choices=KPI_CHOICES)
    value = models.DecimalField(**VALUE)  # type: ignore[call-overload]
    # The value as the explanation prints it: with the precision that keeps it in its band.
    value_text = models.CharField(max_length=40, blank=True)
    sample = models.PositiveIntegerField(default=0)
    band_kind = models.CharField(max_length=20, choices=BandKind.choices, blank=True)
    band_label = models.CharField(max_length=80, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    at_risk = models.BooleanField(default=False)
    guardrail = models.BooleanField(default=False)
    credit = _money_field(default=Decimal(0))
    bonus = _money_field(default=Decimal(0))
    opens_plan = models.BooleanField(default=False)
    explanation = models.CharField(max_length=500)

    tenant_scope = TenantScope(
        account="settlement__partner__account", partner="settlement__partner"
    )

    class Meta:
        ordering = ["settlement", "basis", "position"]

    def __str__(self) -> str:
        return self.explanation


class PlanKind(models.TextChoices):
    REMEDIATION = "remediation", "Remediation plan"
    REVIEW = "review", "Guardrail review"


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    # Opened from figures that corrected data no longer supports, before any work on it.
    WITHDRAWN = "withdrawn", "Withdrawn"


class RemediationPlan(models.Model):
    """Opened once when a KPI lands in a band that asks for one; closes when the KPI has been
    at SLA for the SLA's `plan_exit_periods` consecutive months."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="remediation_plans")
    # A plan outlives the KPI's removal from the SLA: it is part of the partner's record.
    governed = models.ForeignKey(
        GovernedKpi, on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kpi = models.CharField(max_length=20, choices=KPI_CHOICES)
    kind = models.CharField(max_length=20, choices=PlanKind.choices)
    opened_month = models.DateField()
    opened_at = models.DateTimeField()
    reason = models.CharField(max_length=500)
    actions = models.TextField(blank=True, help_text="What each side will do, and by when.")
    buyer_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    months_at_sla = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    # Set while the month that opened the plan, as the data now stands, no longer asks for
    # one and work was already recorded on it: the program manager decides whether to close it.
    unsupported_since = models.DateTimeField(null=True, blank=True)
    unsupported_note = models.CharField(max_length=300, blank=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["status", "due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["governed"], condition=Q(status="open"), name="plan_one_open_per_kpi"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {domain.governable(self.kpi).label} {self.channel}"


class Comparison(models.TextChoices):
    BELOW = domain.Comparison.BELOW.value, "below"
    ABOVE = domain.Comparison.ABOVE.value, "above"


class ExitPeriod(models.TextChoices):
    MONTH = "month", "months"
    QUARTER = "quarter", "quarters"


class ExitCriterion(models.Model):
    """'CSAT below 80% for two consecutive quarters despite a remediation plan': tracked
    nightly; when met, the notice period gives the earliest exit date."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="exit_criteria")
    kpi = models.CharField(max_length=20, choices=KPI_CHOICES)
    channel = models.CharField(
        max_length=20, choices=Channel.choices, blank=True, help_text="Empty: all channels."
    )
    comparison = models.CharField(max_length=10, choices=Comparison.choices)
    threshold = models.DecimalField(max_digits=14, decimal_places=4)
    period_type = models.CharField(max_length=10, choices=ExitPeriod.choices)
    periods = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    despite_remediation = models.BooleanField(
        default=True, help_text="Count only periods in which a remediation plan was open."
    )
    streak = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    met_on = models.DateField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    tenant_scope = TenantScope(account="contract__partner__account", partner="contract__partner")

    class Meta:
        ordering = ["contract", "pk"]
        verbose_name_plural = "exit criteria"

    def __str__(self) -> str:
        return self.description

    @property
    def description(self) -> str:
        kpi = domain.governable(self.kpi)
        where = f" {self.get_channel_display().lower()}" if self.channel else ""
        unit = "%" if kpi.unit is domain.Unit.PERCENT else ""
        text = (
            f"{kpi.label}{where} {self.comparison} {domain.plain_number(self.threshold)}{unit} for "
            f"{self.periods} consecutive {self.get_period_type_display()}"
        )
        return text + (" despite a remediation plan" if self.despite_remediation else "")

    @property
    def earliest_exit_date(self) -> date | None:
        if self.met_on is None:
            return None
        return self.met_on + timedelta(days=self.contract.notice_days)
