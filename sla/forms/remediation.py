"""Forms of the remediation board: its filter, and a plan's owners, due date and actions."""

from __future__ import annotations

from typing import Any

from django import forms

from core.scoping import Viewer
from partners.models import Role, User
from partners.scoping import pickable_members
from sla.forms.common import PartnerFilterForm
from sla.models import RemediationPlan
from sla.selectors.remediation import BOARD_COLUMNS


class PlanFilterForm(PartnerFilterForm):
    status = forms.ChoiceField(
        choices=[("", "Open, overdue and recently closed"), *BOARD_COLUMNS], required=False
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.display_name


class PlanForm(forms.Form):
    """Owners, due date and actions of a plan; program managers may also close it."""

    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="What each side will do, and by when.",
    )
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    buyer_owner = UserChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody yet"
    )
    partner_owner = UserChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody yet"
    )
    close_reason = forms.CharField(
        max_length=300,
        required=False,
        label="Close with reason",
        help_text="Program managers only: closes the plan now, with this reason.",
    )

    def __init__(self, *args: Any, viewer: Viewer, plan: RemediationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The members the viewer may pick for the plan's partner: the account's buyer-side
        # people for the buyer owner, the plan's own partner's people for the partner owner.
        # Memberships are buyer-only data, so a partner user picks among its own colleagues
        # and is not offered the buyer's list.
        members = pickable_members(viewer, partner=plan.partner_id)
        order = ("first_name", "last_name", "email")
        self.fields["partner_owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=members.filter(partner_id=plan.partner_id).values("user_id")
        ).order_by(*order)
        if viewer.is_buyer_side:
            self.fields["buyer_owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
                pk__in=members.filter(partner__isnull=True).values("user_id")
            ).order_by(*order)
        else:
            del self.fields["buyer_owner"]
        if viewer.role != Role.PROGRAM_MANAGER:
            del self.fields["close_reason"]
