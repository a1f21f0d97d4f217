"""SLAs: the KPIs a contract governs on each channel, their bands, and where each stands
every month."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.scoping import TenantScope
from partners.models import Channel, Partner
from sla import domain
from sla.models.contracts import Contract
from sla.models.fields import KPI_CHOICES, bound_field, pct_field, value_field


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
        ordered = domain.by_value(bands)
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


class Band(models.Model):
    """One band of a governed KPI, from `lower` to `upper` in the KPI's unit (percent as
    0-100). Adjacent bands share a bound; which of them holds it follows the KPI's direction
    (`domain.Band.contains`)."""

    governed = models.ForeignKey(GovernedKpi, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveSmallIntegerField()  # 0 = lowest values
    kind = models.CharField(max_length=20, choices=BandKind.choices)
    label = models.CharField(max_length=50, blank=True, help_text="Custom bands: their name.")
    lower = bound_field()
    upper = bound_field()
    bonus_pct = pct_field()
    credit_pct = pct_field()
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


class BandStatus(models.Model):
    """Where one governed KPI stands in one month: recomputed nightly while the month is open.

    For the current month it also holds the projection to month end (early warning).
    """

    governed = models.ForeignKey(GovernedKpi, on_delete=models.CASCADE, related_name="statuses")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="band_statuses")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kpi = models.CharField(max_length=20, choices=KPI_CHOICES)
    month = models.DateField()
    value = value_field()
    # The value as the explanation prints it: with the precision that keeps it in its band.
    value_text = models.CharField(max_length=40, blank=True)
    sample = models.PositiveIntegerField(default=0)
    low = value_field()
    high = value_field()
    band = models.ForeignKey(
        Band, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    band_kind = models.CharField(max_length=20, choices=BandKind.choices, blank=True)
    band_label = models.CharField(max_length=80, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    at_risk = models.BooleanField(default=False)
    month_complete = models.BooleanField(default=False)
    projected_value = value_field()
    projected_low = value_field()
    projected_high = value_field()
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
