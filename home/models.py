"""The QBR as a record: a quarter's review of one partner, and the action items it agreed,
each with an owner on the buyer's or the partner's side, a due date and a status. The next
quarter's review shows the previous one's items and how they ended (docs/domain.md,
"Cadence": a QBR with action items and owners, not a status update)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.scoping import TenantScope
from partners.models import Account, Partner


class QuarterlyReview(models.Model):
    """One partner's review of one quarter: opened by a program manager, once."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reviews")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="reviews")
    quarter_start = models.DateField(help_text="The first day of the quarter reviewed.")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField()
    # The program manager's scores of health-check layers Keel cannot score from its data:
    # {layer: {"healthy": bool, "evidence": str}} (home.domain.LAYERS).
    health_scores = models.JSONField(default=dict, blank=True)
    # Published: the program manager has declared the review final and shared it; the actions
    # still record how they end.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    tenant_scope = TenantScope(account="account", partner="partner")

    class Meta:
        ordering = ["-quarter_start", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "quarter_start"], name="review_unique_partner_quarter"
            )
        ]

    def __str__(self) -> str:
        number = (self.quarter_start.month - 1) // 3 + 1
        return f"{self.partner} Q{number} {self.quarter_start.year}"


class Side(models.TextChoices):
    BUYER = "buyer", "Buyer"
    PARTNER = "partner", "Partner"


class ItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionItem(models.Model):
    """An action a QBR agreed: who owns it (a side, and a person on it), by when, and how it
    ended. A partner's people see the items their side owns."""

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=300)
    side = models.CharField(max_length=10, choices=Side.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qbr_items"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    outcome = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    tenant_scope = TenantScope(account="review__account", partner="review__partner")

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["review", "status"])]

    def __str__(self) -> str:
        return self.description
