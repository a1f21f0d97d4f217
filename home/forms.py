"""Forms of the QBR record: an action item, and how one ended."""

from __future__ import annotations

from typing import Any

from django import forms

from calibration.forms import member_label
from core.scoping import Viewer
from home.domain import LAYERS
from home.models import ItemStatus, QuarterlyReview, Side
from partners.models import Membership
from partners.scoping import pickable_members


class OwnerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A member, named with role and partner as calibration names reviewers."""

    def label_from_instance(self, obj: Membership) -> str:  # type: ignore[override]
        return member_label(obj)


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=300, label="Action")
    side = forms.ChoiceField(choices=Side.choices, label="Owned by the")
    owner = OwnerField(queryset=Membership.objects.none(), label="Owner", empty_label=None)
    due_date = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, viewer: Viewer, review: QuarterlyReview, **kwargs: Any):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, OwnerField)
        # The buyer's people and the reviewed partner's: whoever may own the action.
        owner.queryset = pickable_members(viewer, partner=review.partner_id).order_by(
            "partner__name", "user__email"
        )


class ActionItemUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ItemStatus.choices)
    outcome = forms.CharField(max_length=300, required=False, label="Outcome")


class HealthScoreForm(forms.Form):
    """The program manager's score of a layer Keel cannot score, with the evidence."""

    layer = forms.ChoiceField(choices=[(key, name) for key, name, _ in LAYERS])
    healthy = forms.TypedChoiceField(
        choices=[("yes", "Healthy"), ("no", "Not healthy")], coerce=lambda v: v == "yes"
    )
    evidence = forms.CharField(max_length=300)
