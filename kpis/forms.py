from __future__ import annotations

from typing import Any

from django import forms

from core.scoping import Viewer, scope
from kpis.models import ImportKind, UnknownAgents
from kpis.periods import Period, PeriodType
from kpis.rows import FIELDS, PRESETS, FieldType, Kind
from kpis.selectors import SORTS, Tenure
from kpis.services import SAVED
from partners.forms import TIME_ZONE_CHOICES
from partners.models import Channel, Partner, Team

MAPPING_CHOICES = [
    *((key, label) for key, (label, _kind, _map) in PRESETS.items()),
    (SAVED, "The partner's saved columns"),
]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices, label="What the file holds")
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="Several partners: the file's partner column says",
    )
    mapping = forms.ChoiceField(
        choices=MAPPING_CHOICES,
        label="Columns",
        help_text="How the file names its columns: Keel's own names, a helpdesk export, or "
        "the columns saved for the partner. See the import guide for each layout.",
    )
    unknown_agents = forms.ChoiceField(
        choices=UnknownAgents.choices,
        label="Agents not on the roster",
        initial=UnknownAgents.REJECT,
    )
    timezone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        help_text="For times in the file written without an offset; the account's time zone "
        "unless the file's system writes another.",
    )
    file = forms.FileField(help_text="CSV: comma, semicolon, tab or pipe separated; UTF-8.")

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].initial = viewer.account.time_zone
        partners = scope(Partner, viewer)
        field = self.fields["partner"]
        field.queryset = partners  # type: ignore[attr-defined]
        if viewer.is_partner_side:
            # A partner user imports for its own partner only.
            field.required = True
            field.empty_label = None  # type: ignore[attr-defined]
            field.initial = viewer.partner


class PeriodForm(forms.Form):
    """Which period a scorecard shows: a period type and any day in it."""

    period = forms.ChoiceField(
        choices=[(t.value, t.value.capitalize()) for t in PeriodType], required=False
    )
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period_or(self, default: Period) -> Period:
        if not self.is_valid():
            return default
        period_type = PeriodType(self.cleaned_data["period"] or default.type.value)
        day = self.cleaned_data["start"]
        if day is None:
            return (
                default
                if period_type is default.type
                else Period.containing(period_type, default.start)
            )
        return Period.containing(period_type, day)


class AgentScorecardForm(PeriodForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All")
    channel = forms.ChoiceField(choices=[("", "All"), *Channel.choices], required=False)
    tenure = forms.ChoiceField(
        choices=[("", "Any"), *((t.value, t.label) for t in Tenure)], required=False
    )
    min_sample = forms.IntegerField(
        min_value=1, max_value=10_000, required=False, label="Judge from n ≥"
    )
    sort = forms.ChoiceField(
        choices=[(s, s) for s in SORTS], required=False, widget=forms.HiddenInput
    )
    desc = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, viewer: Viewer, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = scope(Team, viewer).filter(partner=partner)  # type: ignore[attr-defined]


UNIT_CHOICES = [("seconds", "seconds"), ("minutes", "minutes"), ("hours", "hours")]
ALIAS_TYPES = {FieldType.CHANNEL, FieldType.BOOLEAN, FieldType.TEXT, FieldType.INTEGER}


class MappingForm(forms.Form):
    """One column name per Keel field, a unit per duration, and value translations."""

    def __init__(self, *args: Any, kind: Kind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for spec in FIELDS[kind]:
            self.fields[f"column_{spec.name}"] = forms.CharField(
                required=False,
                max_length=200,
                label=spec.name,
                help_text=spec.help,
                widget=forms.TextInput(attrs={"placeholder": spec.name}),
            )
            if spec.type is FieldType.DURATION:
                self.fields[f"unit_{spec.name}"] = forms.ChoiceField(
                    choices=UNIT_CHOICES, initial="seconds", label=f"{spec.name} unit"
                )
            if spec.type in ALIAS_TYPES and spec.name in {
                "channel",
                "interaction_type",
                "csat",
                "sla_met",
                "resolved_first_contact",
            }:
                self.fields[f"values_{spec.name}"] = forms.CharField(
                    required=False,
                    label=f"{spec.name} values",
                    widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Phone call = voice"}),
                    help_text="One per line: the file's value = Keel's value.",
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, text in list(cleaned.items()):
            if not name.startswith("values_") or not text:
                continue
            pairs = {}
            for number, line in enumerate(str(text).splitlines(), start=1):
                if not line.strip():
                    continue
                if "=" not in line:
                    self.add_error(name, f"Line {number} has no '=': write “their value = Keel's”.")
                    continue
                theirs, ours = (part.strip() for part in line.split("=", 1))
                if not theirs:
                    self.add_error(name, f"Line {number} has nothing before '='.")
                    continue
                pairs[theirs] = ours
            cleaned[name] = pairs
        return cleaned

    def mapping(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            "columns": {
                spec.name: data[f"column_{spec.name}"]
                for spec in FIELDS[self.kind]
                if data.get(f"column_{spec.name}")
            },
            "units": {
                spec.name: data[f"unit_{spec.name}"]
                for spec in FIELDS[self.kind]
                if data.get(f"unit_{spec.name}") and data[f"unit_{spec.name}"] != "seconds"
            },
            "values": {
                name.removeprefix("values_"): value
                for name, value in data.items()
                if name.startswith("values_") and value
            },
        }

    @classmethod
    def initial_from(cls, mapping: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for field, column in (mapping.get("columns") or {}).items():
            initial[f"column_{field}"] = column
        for field, unit in (mapping.get("units") or {}).items():
            initial[f"unit_{field}"] = unit
        for field, pairs in (mapping.get("values") or {}).items():
            initial[f"values_{field}"] = "\n".join(f"{k} = {v}" for k, v in pairs.items())
        return initial
