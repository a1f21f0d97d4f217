"""The filters above the calibration lists. Their choices are the viewer's own (partners,
agents); a value that does not parse filters nothing."""

from __future__ import annotations

from typing import Any

from django import forms

from calibration.models import DisputeStatus, SessionStatus, Side
from core.scoping import Viewer, scope
from partners.forms import ViewerFormMixin
from partners.models import Agent, Partner


class FilterForm(ViewerFormMixin, forms.Form):
    """A list's filter: `partner` offers the viewer's partners (`ViewerFormMixin`)."""

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


def _partner_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, empty_label="All partners"
    )


class SessionFilterForm(FilterForm):
    partner = _partner_field()
    status = forms.ChoiceField(choices=[("", "Any status"), *SessionStatus.choices], required=False)


class OutcomeFilterForm(FilterForm):
    partner = _partner_field()
    show = forms.ChoiceField(
        choices=[("", "Open and done"), ("open", "Open"), ("done", "Done")], required=False
    )


class EvaluationFilterForm(FilterForm):
    partner = _partner_field()
    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(), required=False, empty_label="All agents"
    )
    side = forms.ChoiceField(choices=[("", "Both sides"), *Side.choices], required=False)

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, viewer=viewer, **kwargs)
        self.fields["agent"].queryset = scope(Agent, viewer).order_by("name")  # type: ignore[attr-defined]


class DisputeFilterForm(FilterForm):
    status = forms.ChoiceField(choices=[("", "Any status"), *DisputeStatus.choices], required=False)
    partner = _partner_field()
