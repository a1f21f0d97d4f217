"""Contracts: what the buyer pays a partner (the rate card and the volumes it bills), how
much of it quality puts at stake, and the exit criteria that end it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import BaseConstraint, Q
from django.db.models.expressions import Combinable

from core.scoping import TenantScope
from kpis.domain import Unit
from partners.models import Channel, InteractionType, Partner
from sla import domain
from sla.models.fields import KPI_CHOICES, NOT_NEGATIVE, money_field, pct_field


class PricingModel(models.TextChoices):
    PER_HOUR = domain.PricingModel.PER_HOUR.value, "Per agent hour"
    PER_FTE = domain.PricingModel.PER_FTE.value, "Per FTE per month"
    PER_CONTACT = domain.PricingModel.PER_CONTACT.value, "Per contact"
    PER_RESOLVED = domain.PricingModel.PER_RESOLVED.value, "Per resolved contact"
    OUTCOME = domain.PricingModel.OUTCOME.value, "Outcome-based (monthly fee earned through bands)"
    HYBRID = domain.PricingModel.HYBRID.value, "Hybrid (base plus a bonus per resolved contact)"


HYBRID_BASE_CHOICES = [(m.value, m.label) for m in PricingModel if m.value in domain.HYBRID_BASES]

# Loaded-cost components on top of the headline rate (docs/domain.md, "Pricing models":
# the headline rate is not the loaded rate): field name, label.
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
    wfm_pct = pct_field()
    qa_pct = pct_field()
    team_leads_pct = pct_field()
    training_pct = pct_field()
    technology_pct = pct_field()
    facilities_pct = pct_field()
    shrinkage_pct = pct_field()
    credit_cap_pct = pct_field(
        "10", help_text="At-risk cap: the largest share of a month's invoice credits can take."
    )
    bonus_cap_pct = pct_field("5", help_text="The largest share of a month's invoice bonuses add.")
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


def channel_order(owner: str) -> list[str | Combinable]:
    """A rate card's lines in the channels' usual order, each channel's own rate before its
    types' (the Meta ordering of every rate card: a contract's and a candidate's quote)."""
    return [
        owner,
        models.Case(
            *(models.When(channel=c, then=models.Value(i)) for i, c in enumerate(Channel)),
            output_field=models.IntegerField(),
        ).asc(),
        models.F("interaction_type__name").asc(nulls_first=True),
        "pk",
    ]


def one_line_per_channel_and_type(owner: str, prefix: str) -> list[BaseConstraint]:
    """One line per channel without a type, and one per channel and type."""
    return [
        models.UniqueConstraint(
            fields=[owner, "channel"],
            condition=Q(interaction_type__isnull=True),
            name=f"{prefix}_unique_channel",
        ),
        models.UniqueConstraint(
            fields=[owner, "channel", "interaction_type"],
            condition=Q(interaction_type__isnull=False),
            name=f"{prefix}_unique_channel_type",
        ),
    ]


class PricedLine(models.Model):
    """What every rate-card line holds, a contract's or a candidate's quote: the price of one
    channel's work, or of one interaction type on that channel (complaints above order
    status). The channel's line without a type prices every contact no typed line prices;
    hours, FTE and monthly fees cannot be split by type, so typed lines price contacts
    (docs/sla.md, "Rate cards")."""

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
    rate = money_field(
        validators=NOT_NEGATIVE,
        help_text="Per hour, per FTE-month, per contact, per resolved contact, or the monthly "
        "fee (outcome-based).",
    )
    hybrid_base = models.CharField(
        max_length=20, choices=HYBRID_BASE_CHOICES, blank=True, help_text="Hybrid: the base."
    )
    resolution_bonus = money_field(
        default=Decimal(0), validators=NOT_NEGATIVE, help_text="Hybrid: per resolved contact."
    )

    class Meta:
        abstract = True

    @property
    def what(self) -> str:
        """The channel, and the interaction type when the line has one: "Chat Complaint"."""
        what = str(self.get_channel_display())  # type: ignore[attr-defined]
        if self.interaction_type_id:
            what += f" {self.interaction_type}"
        return what

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


class RateLine(PricedLine):
    """One line of a contract's rate card."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="rates")

    tenant_scope = TenantScope(account="contract__partner__account", partner="contract__partner")

    class Meta:
        ordering = channel_order("contract")
        constraints = one_line_per_channel_and_type("contract", "rate")

    def __str__(self) -> str:
        return f"{self.what}: {self.get_pricing_model_display()}"

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
        unit = "%" if kpi.unit is Unit.PERCENT else ""
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
