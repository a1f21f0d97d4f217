"""The rubric editor: the rubric's name and channel, then one row per criterion. The rules of
a rubric as a whole (a critical criterion is yes / no, no two criteria share a name) are
checked by `calibration.services`, whose `DomainError` the view shows on the form."""

from __future__ import annotations

from typing import Any

from django import forms

from calibration.models import RubricVersion, Scale
from calibration.selectors import plain
from calibration.services import CriterionInput
from partners.models import Channel


class RubricForm(forms.Form):
    """The rubric's name and channel: set when it is created (its criteria change later,
    in versions)."""

    name = forms.CharField(max_length=200)
    channel = forms.ChoiceField(
        choices=[("", "Every channel"), *Channel.choices],
        required=False,
        help_text="Leave it on every channel unless the rubric is for one channel only.",
    )


class CriterionForm(forms.Form):
    section = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"size": 12}))
    name = forms.CharField(max_length=200)
    guidance = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 1, "cols": 24}), label="Guidance"
    )
    # No minimum here: the service names a zero weight in the rubric's own words.
    weight = forms.DecimalField(
        max_digits=6, decimal_places=2, label="Weight (max points)", widget=forms.NumberInput()
    )
    # The empty choice keeps a blank extra row blank (a select would post its first option).
    scale = forms.ChoiceField(choices=[("", "—"), *Scale.choices])
    na_allowed = forms.BooleanField(required=False, label="N/A allowed")
    critical = forms.BooleanField(required=False, label="Critical")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weight"].widget.attrs.update({"step": "any", "min": "0"})

    def criterion(self) -> CriterionInput:
        data = self.cleaned_data
        return CriterionInput(
            section=data["section"],
            name=data["name"],
            weight=data["weight"],
            scale=data["scale"],
            na_allowed=data["na_allowed"],
            critical=data["critical"],
            guidance=data["guidance"].strip(),
        )


class BaseCriterionFormSet(forms.BaseFormSet):
    def criteria(self) -> list[CriterionInput]:
        """The rows kept, in order: filled in and not marked for removal."""
        return [
            form.criterion()
            for form in self.forms
            if (form in self.initial_forms or form.has_changed())
            and not self._should_delete_form(form)  # type: ignore[attr-defined]
        ]


def criterion_formset_class(*, extra: int) -> type[BaseCriterionFormSet]:
    """Criterion rows, with `extra` blank rows (static/js/formset_rows.js adds more)."""
    return forms.formset_factory(  # type: ignore[return-value]
        CriterionForm, formset=BaseCriterionFormSet, extra=extra, can_delete=True, max_num=60
    )


def criterion_initial(version: RubricVersion) -> list[dict[str, Any]]:
    """Formset rows for a version's criteria, weights written as people would type them."""
    return [
        {
            "section": c.section,
            "name": c.name,
            "guidance": c.guidance,
            "weight": plain(c.weight),
            "scale": c.scale,
            "na_allowed": c.na_allowed,
            "critical": c.critical,
        }
        for c in version.criteria.all()
    ]
