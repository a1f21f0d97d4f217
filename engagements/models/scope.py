"""The versioned scope of work of a partner (or of a selection, before it chooses): the
forecast mix, seasonal months, the in-house baselines and the checklist."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from core.scoping import TenantScope
from engagements import domain
from engagements.models.fields import STAFF, money_field, percent_field
from engagements.models.selection import Selection
from partners.models import Account, Channel, InteractionType, Partner
from sla.models import NOT_NEGATIVE


class Shift(models.TextChoices):
    BUSINESS_HOURS = (
        domain.Shift.BUSINESS_HOURS.value,
        domain.SHIFT_LABELS[domain.Shift.BUSINESS_HOURS],
    )
    AFTER_HOURS = domain.Shift.AFTER_HOURS.value, domain.SHIFT_LABELS[domain.Shift.AFTER_HOURS]
    WEEKEND = domain.Shift.WEEKEND.value, domain.SHIFT_LABELS[domain.Shift.WEEKEND]
    ALL_DAY = domain.Shift.ALL_DAY.value, domain.SHIFT_LABELS[domain.Shift.ALL_DAY]


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
    governance_fte_cost = money_field(
        default=Decimal(0),
        validators=NOT_NEGATIVE,
        help_text="Monthly loaded cost of one program-management FTE.",
    )
    note = models.CharField(max_length=300, blank=True, help_text="What changed, and why.")
    created_by = models.ForeignKey(STAFF, on_delete=models.SET_NULL, null=True, related_name="+")
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
    csat_pct = percent_field(null=True, blank=True)
    fcr_pct = percent_field(null=True, blank=True)
    aht_seconds = models.PositiveIntegerField(null=True, blank=True)
    frt_seconds = models.PositiveIntegerField(null=True, blank=True)
    cost_per_contact = money_field(
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
