"""The stages an engagement moves through, with the gate of each expansion step as it
stood when the step was approved."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.scoping import TenantScope
from engagements import domain
from engagements.models.fields import STAFF, percent_field
from partners.models import InteractionType, Partner


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
    alignment_threshold_pct = percent_field(default=Decimal(85))
    gate_green = models.BooleanField(null=True, blank=True)
    gate_reasons = models.JSONField(default=list, blank=True)
    gate_alignment = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why the step was approved despite a red gate."
    )
    back_reason = models.TextField(blank=True, help_text="Why the engagement moved back.")
    approved_by = models.ForeignKey(
        STAFF, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
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
