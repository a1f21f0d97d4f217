"""Forms for the engagement timeline: starting a stage, and the gate's parameters.

They parse what people type; the rules (a tight pilot, going backwards, a red gate) are
checked by `engagements.services.stage_start`, whose `DomainError` the view shows on the
field it names.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from core.scoping import scope
from engagements.models import Expansion, Shift, StageKind
from partners.forms import ViewerFormMixin
from partners.models import Channel, InteractionType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

GATE_MONTHS_DEFAULT = 2
GATE_MONTHS_MAX = 12
THRESHOLD_DEFAULT = Decimal(85)


def _gate_months_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1,
        max_value=GATE_MONTHS_MAX,
        error_messages={
            "min_value": "The gate looks at one month or more.",
            "max_value": f"The gate looks at {GATE_MONTHS_MAX} months at most.",
            "invalid": "Give the number of months as a whole number.",
        },
        **kwargs,
    )


def _threshold_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        error_messages={
            "min_value": "The alignment threshold is a percentage from 0 to 100.",
            "max_value": "The alignment threshold is a percentage from 0 to 100.",
            "invalid": "Give the alignment threshold as a percentage, e.g. 85.",
        },
        **kwargs,
    )


class GateForm(forms.Form):
    """?months=&threshold= on the timeline: how many complete months at SLA the gate asks
    for, and the calibration agreement it needs."""

    months = _gate_months_field(label="Months at SLA", required=False, initial=GATE_MONTHS_DEFAULT)
    threshold = _threshold_field(
        label="Alignment threshold (%)", required=False, initial=THRESHOLD_DEFAULT
    )

    def values(self) -> tuple[int, Decimal]:
        """The valid values, or the defaults for what is empty or wrong."""
        cleaned = self.cleaned_data if self.is_valid() else {}
        months = cleaned.get("months") or GATE_MONTHS_DEFAULT
        threshold = cleaned.get("threshold")
        return months, THRESHOLD_DEFAULT if threshold is None else threshold


class StageForm(ViewerFormMixin, forms.Form):
    """A new stage of the engagement. Empty choices mean 'nothing added' (a steady state or
    an exit covers what came before)."""

    kind = forms.ChoiceField(label="Stage", choices=StageKind.choices)
    expansion = forms.ChoiceField(
        label="What the expansion adds",
        choices=Expansion.choices,
        required=False,
        help_text="Required for an expansion step.",
    )
    started_on = forms.DateField(label="Starts on", widget=DATE)
    description = forms.CharField(
        max_length=300, required=False, help_text="What this stage covers, in a sentence."
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    interaction_types = forms.ModelMultipleChoiceField(
        queryset=InteractionType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    shifts = forms.MultipleChoiceField(
        choices=Shift.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    ramp_weeks = forms.IntegerField(
        label="Ramp to full volume (weeks)",
        min_value=0,
        max_value=104,
        required=False,
        help_text="8-12 weeks to parity on routine work, 4-6 months on brand-sensitive work.",
        error_messages={"min_value": "A ramp cannot last a negative number of weeks."},
    )
    gate_months = _gate_months_field(
        label="Gate: months at SLA",
        initial=GATE_MONTHS_DEFAULT,
        help_text="Complete months in which every governed KPI stood in base or better.",
    )
    alignment_threshold_pct = _threshold_field(
        label="Gate: calibration agreement (%)",
        initial=THRESHOLD_DEFAULT,
        help_text="The agreement of buyer and partner reviewers the step needs.",
    )
    override_reason = forms.CharField(
        label="Why approve the step despite a red gate",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Recorded with your name on the timeline.",
    )
    back_reason = forms.CharField(
        label="Why the engagement moves back",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Only when the new stage comes before the current one (or after an exit).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = self.fields["interaction_types"]
        assert isinstance(types, forms.ModelMultipleChoiceField)
        types.queryset = scope(InteractionType, self.viewer).order_by("name")

    def gate_values(self) -> tuple[int, Decimal, list[str]]:
        """The gate's months and threshold as typed (or given in the query string), the
        defaults where they are not valid, with what was wrong in words."""
        values: dict[str, Any] = {
            "gate_months": GATE_MONTHS_DEFAULT,
            "alignment_threshold_pct": THRESHOLD_DEFAULT,
        }
        problems = []
        for name in values:
            field = self.fields[name]
            try:
                value = field.clean(self[name].value())
            except forms.ValidationError as exc:
                problems.append(f"{field.label}: {' '.join(exc.messages)}")
                continue
            if value is not None:
                values[name] = value
        return int(values["gate_months"]), Decimal(values["alignment_threshold_pct"]), problems

    GROUPS = (
        ("The stage", ("kind", "expansion", "started_on", "description")),
        ("What it covers", ("channels", "interaction_types", "shifts", "ramp_weeks")),
        ("The gate", ("gate_months", "alignment_threshold_pct")),
    )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]
