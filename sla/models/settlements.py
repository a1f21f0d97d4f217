"""Settlements: a partner's month under a contract in money, its lines, and the adjustments
approved months carry into later ones."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from core.scoping import TenantScope
from partners.models import Channel, Partner
from sla.models.contracts import Contract
from sla.models.fields import KPI_CHOICES, money_field, optional_money_field, value_field
from sla.models.slas import BandKind, Decision


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
    invoice_total = money_field(default=Decimal(0))
    credit_gross = money_field(default=Decimal(0))
    credit_cap = money_field(default=Decimal(0))
    credit_total = money_field(default=Decimal(0))
    bonus_gross = money_field(default=Decimal(0))
    bonus_cap = money_field(default=Decimal(0))
    bonus_total = money_field(default=Decimal(0))
    carried = money_field(default=Decimal(0))
    net = money_field(default=Decimal(0))
    notes = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by_label = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    latest_net = optional_money_field()
    # An approved month on the latest data, to show what its adjustment is made of.
    latest_invoices = models.JSONField(default=dict, blank=True)
    latest_invoice_total = optional_money_field()
    latest_credit_total = optional_money_field()
    latest_bonus_total = optional_money_field()
    adjustment = money_field(default=Decimal(0))
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
    amount = money_field()

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
    value = value_field()
    # The value as the explanation prints it: with the precision that keeps it in its band.
    value_text = models.CharField(max_length=40, blank=True)
    sample = models.PositiveIntegerField(default=0)
    band_kind = models.CharField(max_length=20, choices=BandKind.choices, blank=True)
    band_label = models.CharField(max_length=80, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    at_risk = models.BooleanField(default=False)
    guardrail = models.BooleanField(default=False)
    credit = money_field(default=Decimal(0))
    bonus = money_field(default=Decimal(0))
    opens_plan = models.BooleanField(default=False)
    explanation = models.CharField(max_length=500)

    tenant_scope = TenantScope(
        account="settlement__partner__account", partner="settlement__partner"
    )

    class Meta:
        ordering = ["settlement", "basis", "position"]

    def __str__(self) -> str:
        return self.explanation
