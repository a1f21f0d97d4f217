"""Remediation plans over REST: read by every member who sees them, updated (owners, due
date, actions, a closing reason) by program managers and partner QA leads through
`sla.services`.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.rest import NamedChoiceField
from partners.models import User
from sla.api.serializers.common import kpi_field, kpi_label
from sla.models import PlanKind, PlanStatus, RemediationPlan


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


class RemediationPlanSerializer(serializers.ModelSerializer[RemediationPlan]):
    kpi = kpi_field(read_only=True)
    kind = NamedChoiceField(choices=PlanKind.choices, enum_name="PlanKindEnum", read_only=True)
    status = NamedChoiceField(
        choices=PlanStatus.choices, enum_name="PlanStatusEnum", read_only=True
    )
    kpi_label = serializers.SerializerMethodField()
    buyer_owner_name = serializers.SerializerMethodField()
    partner_owner_name = serializers.SerializerMethodField()

    class Meta:
        model = RemediationPlan
        fields = [
            "id",
            "partner",
            "governed",
            "channel",
            "kpi",
            "kpi_label",
            "kind",
            "status",
            "opened_month",
            "opened_at",
            "reason",
            "actions",
            "due_date",
            "buyer_owner",
            "buyer_owner_name",
            "partner_owner",
            "partner_owner_name",
            "months_at_sla",
            "closed_at",
            "closed_reason",
            "unsupported_since",
            "unsupported_note",
        ]
        read_only_fields = fields

    def get_kpi_label(self, plan: RemediationPlan) -> str:
        return kpi_label(plan.kpi)

    def get_buyer_owner_name(self, plan: RemediationPlan) -> str | None:
        return _name(plan.buyer_owner)

    def get_partner_owner_name(self, plan: RemediationPlan) -> str | None:
        return _name(plan.partner_owner)


class RemediationPlanUpdateSerializer(serializers.Serializer[Any]):
    """What either side may change; fields left out stay as they are."""

    actions = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    due_date = serializers.DateField(required=False)
    buyer_owner = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="User id of a buyer-side member of the account; null removes the owner.",
    )
    partner_owner = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="User id of a member of the plan's partner; null removes the owner.",
    )
    close_reason = serializers.CharField(
        required=False,
        max_length=300,
        help_text="Closes the plan by hand (program managers only).",
    )
