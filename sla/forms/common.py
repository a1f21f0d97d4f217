"""What the SLA forms share: a date input, a model form that leaves validation to the
services, rows edited together, and the partner filter of the settlement and plan lists."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import construct_instance

from core.scoping import Viewer, scope
from partners.models import Partner

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that only parses input into the instance: the service saving it runs the
    model's validation after its own rules, so each problem is named once, in its words
    (a model constraint alone would say "Constraint “contract_end_after_start” is violated")."""

    def _post_clean(self) -> None:
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except forms.ValidationError as exc:
            # BaseModelForm's own handling of a construct_instance error (not in django-stubs).
            self._update_errors(exc)  # type: ignore[attr-defined]


class RowFormSet(forms.BaseFormSet):
    """Rows edited together (a rate card's lines, a KPI's bands) and checked as a whole by a
    service."""

    def kept_forms(self) -> list[Any]:
        """The rows kept: filled in and not marked for removal (once the rows are valid)."""
        deleted = self.deleted_forms
        return [
            form
            for form in self.forms
            if (form in self.initial_forms or form.has_changed()) and form not in deleted
        ]

    def refuse(self, message: str) -> None:
        """Show a refusal of the rows as a whole above them."""
        self._non_form_errors = self.error_class([message], error_class="nonform")


class PartnerFilterForm(forms.Form):
    """A list's partner filter: the viewer's own partners only."""

    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, empty_label="All partners"
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = scope(Partner, viewer)  # type: ignore[attr-defined]

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None
