"""Forms of QA evaluations and their disputes. They parse what people type; the rules (a value
on its criterion's scale, the dispute window) are checked by `calibration.services`, whose
`DomainError` the views show on the form."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from calibration.forms.answers import NA
from calibration.models import Rubric, RubricCriterion, RubricVersion, Scale
from core.scoping import Viewer, scope
from partners.forms import ViewerFormMixin
from partners.models import Agent, Channel

# ANSWERS
# ------------------------------------------------------------------------------


def scale_choices(criterion: RubricCriterion) -> list[tuple[str, str]]:
    """The values a yes / no or 1-5 criterion takes, with N/A where it is allowed."""
    if criterion.scale == Scale.YES_NO:
        choices = [("1", "Yes"), ("0", "No")]
    else:
        choices = [(str(n), str(n)) for n in range(1, 6)]
    if criterion.na_allowed:
        choices.append((NA, "N/A"))
    return choices


def proposal_choices(criterion: RubricCriterion) -> list[tuple[str, str]] | None:
    """A dispute's radios (None on 0-100: a number)."""
    if criterion.scale == Scale.ZERO_TO_HUNDRED:
        return None
    return scale_choices(criterion)


def answer_fields(criterion: RubricCriterion, *, required: bool = True) -> dict[str, forms.Field]:
    """The form fields that take a value on one criterion: radios on yes / no and 1-5, a
    number on 0-100 (with an N/A box where the criterion allows it). Values off the scale
    are left to the service, which names the criterion and its scale."""
    name = f"c{criterion.pk}"
    if criterion.scale != Scale.ZERO_TO_HUNDRED:
        return {
            name: forms.ChoiceField(
                label=criterion.name,
                choices=scale_choices(criterion),
                widget=forms.RadioSelect,
                required=required,
                help_text=criterion.guidance,
            )
        }
    fields: dict[str, forms.Field] = {
        name: forms.DecimalField(
            label=criterion.name,
            max_digits=7,
            decimal_places=2,
            required=False,
            help_text=criterion.guidance,
            widget=forms.NumberInput(attrs={"step": "any", "min": "0", "max": "100"}),
        )
    }
    if criterion.na_allowed:
        fields[f"{name}_na"] = forms.BooleanField(required=False, label="N/A")
    return fields


def answer_value(form: forms.Form, criterion: RubricCriterion) -> Decimal | None:
    """The cleaned value of a criterion's fields (None: N/A); adds an error when missing."""
    name = f"c{criterion.pk}"
    if name in form.errors:
        return None
    raw = form.cleaned_data.get(name)
    if criterion.scale != Scale.ZERO_TO_HUNDRED:
        if raw == NA:
            return None
        return Decimal(raw) if raw not in (None, "") else None
    if form.cleaned_data.get(f"{name}_na"):
        if raw is not None:
            form.add_error(name, "Give a value or tick N/A, not both.")
        return None
    if raw is None:
        hint = " (or tick N/A)" if criterion.na_allowed else ""
        form.add_error(name, f"Score it from 0 to 100{hint}.")
    return raw  # type: ignore[no-any-return]


# QA EVALUATIONS
# ------------------------------------------------------------------------------


class EvaluationForm(ViewerFormMixin, forms.Form):
    """Who and what was scored, then one answer per criterion of the rubric's latest version
    (the criteria appear once the rubric is chosen)."""

    rubric = forms.ModelChoiceField(
        queryset=Rubric.objects.none(), empty_label=None, widget=forms.HiddenInput
    )
    # The version the criteria on the page come from; the template writes the current one,
    # so that a page left open across a rubric change is scored again, not mixed up.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    agent = forms.ModelChoiceField(queryset=Agent.objects.none(), empty_label="Choose an agent")
    channel = forms.ChoiceField(choices=Channel.choices)
    external_id = forms.CharField(
        max_length=100,
        label="Interaction id",
        help_text="The ticket, chat or call id in the helpdesk.",
    )

    def __init__(
        self, *args: Any, viewer: Viewer, version: RubricVersion | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, viewer=viewer, **kwargs)
        self.criteria_version = version
        rubrics = scope(Rubric, viewer).filter(versions__isnull=False).distinct()
        self.fields["rubric"].queryset = rubrics  # type: ignore[attr-defined]
        agents = scope(Agent, viewer).select_related("partner").order_by("partner__name", "name")
        self.fields["agent"].queryset = agents  # type: ignore[attr-defined]
        if viewer.is_buyer_side:
            self.fields["agent"].label_from_instance = (  # type: ignore[attr-defined]
                lambda a: f"{a.name} · {a.partner.name}"
            )
        self.criteria: list[RubricCriterion] = []
        self.answer_values: dict[int, Decimal | None] = {}
        if version is not None:
            self.criteria = list(version.criteria.all())
            for criterion in self.criteria:
                self.fields.update(answer_fields(criterion))

    def sections(self) -> list[tuple[str, list[tuple[RubricCriterion, list[forms.BoundField]]]]]:
        """The criteria's fields, grouped by section in the rubric's order."""
        grouped: dict[str, list[tuple[RubricCriterion, list[forms.BoundField]]]] = {}
        for c in self.criteria:
            names = [n for n in (f"c{c.pk}", f"c{c.pk}_na") if n in self.fields]
            grouped.setdefault(c.section, []).append((c, [self[n] for n in names]))
        return list(grouped.items())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rubric, version = cleaned.get("rubric"), self.criteria_version
        if rubric is not None and version is not None and version.rubric_id != rubric.pk:
            self.add_error("rubric", "Choose the rubric again: its criteria are not shown.")
        elif version is not None and cleaned.get("version") not in (None, version.pk):
            self.add_error(
                None,
                f"{version.rubric} changed to version {version.number} while you scored: "
                "check the criteria below and save again.",
            )
        # Criterion id → value (None: N/A), for `services.evaluation_save`.
        self.answer_values = {c.pk: answer_value(self, c) for c in self.criteria}
        return cleaned


# DISPUTES
# ------------------------------------------------------------------------------


class DisputeRaiseForm(forms.Form):
    """One criterion of a buyer's evaluation, the value the partner proposes, and why."""

    criterion = forms.TypedChoiceField(coerce=int, choices=())
    proposed_value = forms.CharField(
        max_length=20,
        required=False,
        label="Proposed score",
        help_text="On the criterion's scale: 1 for yes, 0 for no, 1-5, 0-100, or N/A.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, criteria: list[RubricCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [(c.pk, c.name) for c in criteria]  # type: ignore[attr-defined]

    def clean_proposed_value(self) -> Decimal | None:
        raw = self.cleaned_data["proposed_value"].strip().lower()
        if raw in (NA, "n/a"):
            return None
        if raw in ("yes", "no"):
            return Decimal(1 if raw == "yes" else 0)
        if not raw:
            raise forms.ValidationError("Propose a score (or N/A).")
        try:
            return Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise forms.ValidationError(f"'{raw}' is not a score.") from None

    def posted_criterion(self) -> int | None:
        """The criterion the form was posted on, even when the form has errors."""
        try:
            return int(self.data.get("criterion", ""))
        except (TypeError, ValueError):
            return None


class DisputeResolveForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("yes", "Accept: the score changes"), ("no", "Reject: the score stays")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Decision",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required when you reject: say why the score stands.",
    )
