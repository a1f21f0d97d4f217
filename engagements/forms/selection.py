"""Forms for partner selection: the selection and its pricing assumptions, the criteria
weights, a candidate and its quote (a rate card, entered with the contract form's rate-line
rows: `sla.forms.rate_formset_class`), an evaluator's score sheet and a red flag.

They parse what people type; the rules (currency codes, 1-5 scores, a positive total
weight, a closed selection) are `engagements.services`', whose `DomainError` the views
show on the form, in the service's words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from engagements import domain
from engagements.models import CANDIDATE_FIELDS, Candidate, Selection, SelectionCriterion
from engagements.services import ScoreInput
from sla.forms import ServiceModelForm
from sla.models import LOADED_COMPONENTS

SELECTION_FIELDS = (
    "name",
    "currency",
    "assumed_fcr_pct",
    "handle_minutes",
    "productive_hours_per_fte",
)
COMPONENT_FIELDS = tuple(name for name, _ in LOADED_COMPONENTS)


# SELECTION
# ------------------------------------------------------------------------------


def weight_field_name(key: str) -> str:
    return f"weight_{key}"


class SelectionForm(forms.ModelForm):
    """A selection's name and pricing assumptions and, when editing, one weight per
    criterion. It only parses: the view hands `cleaned_data` to the services, and the
    selection shown on the page stays as saved until they accept the change."""

    class Meta:
        model = Selection
        fields = SELECTION_FIELDS
        labels = {
            "assumed_fcr_pct": "Assumed first-contact resolution (%)",
            "handle_minutes": "Handled minutes per contact",
            "productive_hours_per_fte": "Productive hours per FTE a month",
        }

    def __init__(
        self, *args: Any, criteria: Iterable[SelectionCriterion] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.fields["currency"].widget.attrs.update({"placeholder": "USD", "size": 4})
        self.fields["currency"].help_text = "ISO 4217 code: every quote is compared in it."
        for criterion in self.criteria:
            self.fields[weight_field_name(criterion.key)] = forms.DecimalField(
                label=criterion.name,
                min_value=Decimal(0),
                max_digits=6,
                decimal_places=2,
                initial=criterion.weight,
                help_text=criterion.help,
            )

    def _post_clean(self) -> None:
        """No model validation and no copy onto the instance: the services validate, and
        a refused change must not show on the page as if it were saved."""

    def assumption_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SELECTION_FIELDS]

    def weight_fields(self) -> list[tuple[SelectionCriterion, forms.BoundField]]:
        return [(c, self[weight_field_name(c.key)]) for c in self.criteria]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SELECTION_FIELDS}

    def weights(self) -> dict[str, Decimal]:
        return {c.key: self.cleaned_data[weight_field_name(c.key)] for c in self.criteria}


# CANDIDATES
# ------------------------------------------------------------------------------


class CandidateForm(ServiceModelForm):
    class Meta:
        model = Candidate
        fields = CANDIDATE_FIELDS
        labels = {
            "operations_manager": "Operations manager",
            "attrition_pct": "Annual agent attrition (%)",
            "attrition_trend": "Attrition trend",
            **{name: f"{label} (%)" for name, label in LOADED_COMPONENTS},
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    GROUPS = (
        ("Candidate", ("name", "delivery_model", "country", "operations_manager")),
        ("Loaded cost on top of each headline rate", COMPONENT_FIELDS),
        ("Attrition", ("attrition_pct", "attrition_trend")),
        ("Notes", ("notes",)),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in COMPONENT_FIELDS:
            self.fields[name].required = False
            self.fields[name].help_text = ""
        self.fields["wfm_pct"].help_text = (
            "Each component as a share of the headline rate, as the candidate quotes or "
            "you estimate it; together they usually add 10-30%."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in COMPONENT_FIELDS:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = Decimal(0)
        return cleaned

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]


# SCORE SHEET
# ------------------------------------------------------------------------------

SCORE_CHOICES = [
    ("", "Not scored"),
    *((str(n), str(n)) for n in range(domain.SCORE_MIN, domain.SCORE_MAX + 1)),
]


@dataclass(frozen=True)
class SheetRow:
    criterion: SelectionCriterion
    score: forms.BoundField
    evidence: forms.BoundField


class ScoreSheetForm(forms.Form):
    """One evaluator's sheet for one candidate: per criterion a 1-5 score (blank: not
    scored) and the evidence behind it. The score is parsed as any whole number so that a
    value outside 1-5 reaches the service, which names the criterion and the rule."""

    def __init__(
        self,
        *args: Any,
        criteria: Iterable[SelectionCriterion],
        own: dict[str, Any],
        disabled: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            earlier = own.get(c.key)
            self.fields[f"score_{c.key}"] = forms.IntegerField(
                label=c.name,
                required=False,
                initial=earlier.score if earlier else None,
                widget=forms.RadioSelect(choices=SCORE_CHOICES),
                disabled=disabled,
            )
            self.fields[f"evidence_{c.key}"] = forms.CharField(
                label=f"Evidence for {c.name.lower()}",
                required=False,
                initial=earlier.evidence if earlier else "",
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "cols": 80,
                        "placeholder": "Evidence: what you saw, heard or were shown",
                    }
                ),
                disabled=disabled,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for c in self.criteria:
            if cleaned.get(f"score_{c.key}") is None and (cleaned.get(f"evidence_{c.key}") or ""):
                self.add_error(
                    f"score_{c.key}",
                    "Give a score with this evidence, or clear the evidence: a sheet keeps "
                    "evidence only for a score.",
                )
        return cleaned

    def rows(self) -> list[SheetRow]:
        return [
            SheetRow(c, self[f"score_{c.key}"], self[f"evidence_{c.key}"]) for c in self.criteria
        ]

    def scores(self) -> list[ScoreInput]:
        return [
            ScoreInput(
                c.key,
                self.cleaned_data.get(f"score_{c.key}"),
                self.cleaned_data.get(f"evidence_{c.key}") or "",
            )
            for c in self.criteria
        ]


# RED FLAGS
# ------------------------------------------------------------------------------


class RedFlagForm(forms.Form):
    kind = forms.ChoiceField(
        label="Red flag",
        choices=[(k.value, label) for k, label in domain.RED_FLAG_LABELS.items()],
        error_messages={"invalid_choice": "'%(value)s' is not a red flag Keel knows."},
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        help_text="What was said or refused, and when. Needed for “Other”.",
    )
