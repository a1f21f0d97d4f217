"""Remediation plans and guardrail reviews: opened when a KPI lands in a band that asks for
one, closed when it has been at SLA long enough."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.scoping import TenantScope
from partners.models import Channel, Partner
from sla import domain
from sla.models.fields import KPI_CHOICES
from sla.models.slas import GovernedKpi


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
