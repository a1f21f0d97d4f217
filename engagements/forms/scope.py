"""Forms of the scope-of-work editor: the version's facts, and one formset each for the mix,
the seasonal months, the in-house baseline and the checklist.

They parse what people type into `services.ScopeInput`; the rules of a scope (a mix that
adds up to the forecast, a real time zone, a currency code) are `services.scope_save`'s,
whose `DomainError` the view shows at the top of the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from engagements import domain, services
from engagements.models import BaselineSource, Framework, ItemKind, Shift
from partners.models import Channel, InteractionType
from sla.domain import plain_number

# The empty choice keeps a blank extra row blank: a select would otherwise post its first
# option and the row would count as filled in.
CHANNEL_CHOICES = [("", "—"), *Channel.choices]
LINK_SCHEMES = ["http", "https"]


class MonthStartField(forms.DateField):
    """A month as YYYY-MM (what a month input posts), or the first day of one as YYYY-MM-DD.
    Another day is refused rather than moved: the person meant something else."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value.day != 1:
            raise ValidationError(
                f"A month starts on its first day: {value:%d %B %Y} is not one "
                f"(write {value:%Y-%m} for {value:%B %Y}).",
                code="not_month_start",
            )


def _number(value: Decimal | None) -> str | None:
    return None if value is None else plain_number(value)


# THE VERSION
# ------------------------------------------------------------------------------


class ScopeForm(forms.Form):
    monthly_volume = forms.IntegerField(
        min_value=0,
        label="Contacts in a typical month",
        help_text="The forecast the mix below spreads across channels and interaction types.",
    )
    first_month = MonthStartField(label="First month of the forecast")
    shifts = forms.MultipleChoiceField(
        choices=Shift.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Shifts covered",
        help_text="Contacts opened outside them are out of scope.",
    )
    languages = forms.CharField(max_length=200, required=False, help_text="e.g. English, Spanish")
    timezone = forms.CharField(
        max_length=64, label="Time zone", help_text="Where the shifts' hours are read, e.g. "
        "Europe/Dublin."
    )  # fmt: skip
    currency = forms.CharField(max_length=3, help_text="ISO 4217, e.g. USD.")
    governance_fte = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        label="Governance FTE",
        help_text="Your own program-management people governing this partner.",
    )
    governance_fte_cost = forms.DecimalField(
        max_digits=16,
        decimal_places=4,
        min_value=0,
        label="Monthly cost of one governance FTE",
    )
    note = forms.CharField(max_length=300, required=False, label="What changed, and why")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].widget.attrs.update({"size": 4, "placeholder": "USD"})
        for name in ("governance_fte", "governance_fte_cost"):
            self.fields[name].widget.attrs["step"] = "any"


# ROWS
# ------------------------------------------------------------------------------


class LineForm(forms.Form):
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES)
    interaction_type = forms.ChoiceField(
        label="Interaction type",
        error_messages={"invalid_choice": "Choose one of the account's interaction types."},
    )
    contacts = forms.IntegerField(min_value=0, label="Contacts a month")

    def __init__(self, *args: Any, types: Sequence[InteractionType] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices from a list loaded once for the whole formset, not a queryset per row.
        self.types = {str(t.pk): t for t in types}
        self.fields["interaction_type"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(t.pk), t.name) for t in types),
        ]

    def row(self) -> services.LineInput:
        data = self.cleaned_data
        return services.LineInput(
            data["channel"], self.types[data["interaction_type"]], data["contacts"]
        )


class MonthForm(forms.Form):
    month = MonthStartField()
    contacts = forms.IntegerField(min_value=0, label="Contacts that month")

    def row(self) -> tuple[date, int]:
        return self.cleaned_data["month"], self.cleaned_data["contacts"]


class BaselineForm(forms.Form):
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES)
    csat_pct = forms.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
        label="CSAT %",
    )  # fmt: skip
    fcr_pct = forms.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
        label="FCR %",
    )  # fmt: skip
    aht_seconds = forms.IntegerField(min_value=0, required=False, label="AHT (seconds)")
    frt_seconds = forms.IntegerField(min_value=0, required=False, label="First response (seconds)")
    cost_per_contact = forms.DecimalField(
        max_digits=16, decimal_places=4, min_value=0, required=False,
        label="In-house cost per contact",
    )  # fmt: skip
    source = forms.ChoiceField(choices=BaselineSource.choices, initial=BaselineSource.ENTERED)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("csat_pct", "fcr_pct", "cost_per_contact"):
            self.fields[name].widget.attrs["step"] = "any"

    def row(self) -> services.BaselineInput:
        data = self.cleaned_data
        return services.BaselineInput(
            data["channel"],
            data["csat_pct"],
            data["fcr_pct"],
            data["aht_seconds"],
            data["frt_seconds"],
            data["cost_per_contact"],
            data["source"],
        )


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *ItemKind.choices])
    framework = forms.ChoiceField(choices=Framework.choices, required=False)
    text = forms.CharField(max_length=300, label="What")
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "https://…"}),
        required=False,
        label="Evidence (one link per line)",
    )
    done = forms.BooleanField(required=False)

    def clean_evidence(self) -> tuple[str, ...]:
        links = tuple(
            line.strip() for line in self.cleaned_data["evidence"].splitlines() if line.strip()
        )
        check = URLValidator(schemes=LINK_SCHEMES)
        for link in links:
            try:
                check(link)
            except ValidationError:
                raise ValidationError(
                    f"“{link}” is not a web link: write one full address per line, "
                    "starting with https://.",
                    code="invalid_link",
                ) from None
        return links

    def row(self) -> services.ItemInput:
        data = self.cleaned_data
        return services.ItemInput(
            data["kind"], data["text"], data["framework"], data["evidence"], data["done"]
        )


class RowFormSet(forms.BaseFormSet):
    """Rows kept: the ones shown filled in, or filled in since, and not marked for removal.
    Blank extra rows are ignored."""

    def kept(self) -> list[Any]:
        return [
            form
            for form in self.forms
            if (form in self.initial_forms or form.has_changed())
            and not self._should_delete_form(form)  # type: ignore[attr-defined]
        ]

    def rows(self) -> list[Any]:
        return [form.row() for form in self.kept()]


class MonthFormSet(RowFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[date] = set()
        for form in self.kept():
            month = form.cleaned_data["month"]
            if month in seen:
                raise ValidationError(f"{month:%B %Y} appears twice among the seasonal months.")
            seen.add(month)


MAX_ROWS = 200


# THE WHOLE EDITOR
# ------------------------------------------------------------------------------


def blank_input(first_month: date, currency: str | None = None) -> services.ScopeInput:
    """Where a first scope starts: the service's defaults (time zone, currency, governance
    FTE) and nothing forecast yet."""
    data = services.ScopeInput(monthly_volume=0, first_month=first_month, lines=(), shifts=())
    return replace(data, currency=currency) if currency else data


def missing_standard(types: Sequence[InteractionType]) -> list[domain.StandardType]:
    """The interaction types of the typical mix the account does not have yet."""
    codes = {t.code for t in types}
    return [t for t in domain.STANDARD_MIX if t.code not in codes]


def typical_mix(
    data: services.ScopeInput, types: Sequence[InteractionType]
) -> services.ScopeInput | None:
    """The typical month of docs/domain.md, "Scope" (order status 2,500, product question
    1,200, ...) on the first channel, or None while one of its five interaction types is
    missing."""
    if missing_standard(types):
        return None
    by_code = {t.code: t for t in types}
    channel = Channel.values[0]  # voice: people move the lines to their channels
    lines = [services.LineInput(channel, by_code[t.code], t.contacts) for t in domain.STANDARD_MIX]
    return replace(data, monthly_volume=sum(t.contacts for t in domain.STANDARD_MIX), lines=lines)


def _rows(
    form: type[forms.Form],
    data: Any,
    initial: list[dict[str, Any]],
    prefix: str,
    *,
    blank: int,
    base: type[RowFormSet] = RowFormSet,
    **form_kwargs: Any,
) -> Any:
    """A formset of rows: on a GET the starting rows and some blank ones (`blank` when there
    are none, else one; static/js/formset_rows.js adds more); on a POST what was posted."""
    extra = 1 if initial else blank
    formset = forms.formset_factory(
        form, formset=base, can_delete=True, extra=extra, max_num=MAX_ROWS
    )
    if data is not None:
        return formset(data, prefix=prefix, form_kwargs=form_kwargs)
    return formset(initial=initial, prefix=prefix, form_kwargs=form_kwargs)


@dataclass
class ScopeForms:
    """The main form and its four formsets, built and validated together."""

    main: ScopeForm
    lines: Any
    months: Any
    baselines: Any
    items: Any

    @classmethod
    def build(
        cls,
        data: Any = None,
        *,
        types: Sequence[InteractionType],
        start: services.ScopeInput | None = None,
    ) -> ScopeForms:
        main: dict[str, Any] = {}
        lines: list[dict[str, Any]] = []
        months: list[dict[str, Any]] = []
        baselines: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        if start is not None:
            main = {
                "monthly_volume": start.monthly_volume or None,
                "first_month": start.first_month,
                "shifts": list(start.shifts),
                "languages": start.languages,
                "timezone": start.timezone,
                "currency": start.currency,
                "governance_fte": _number(start.governance_fte),
                "governance_fte_cost": _number(start.governance_fte_cost),
            }
            lines = [
                {
                    "channel": li.channel,
                    "interaction_type": str(li.interaction_type.pk),
                    "contacts": li.contacts,
                }
                for li in start.lines
            ]
            months = [{"month": m, "contacts": n} for m, n in sorted(start.months.items())]
            baselines = [
                {
                    "channel": b.channel,
                    "csat_pct": _number(b.csat_pct),
                    "fcr_pct": _number(b.fcr_pct),
                    "aht_seconds": b.aht_seconds,
                    "frt_seconds": b.frt_seconds,
                    "cost_per_contact": _number(b.cost_per_contact),
                    "source": b.source,
                }
                for b in start.baselines
            ]
            items = [
                {
                    "kind": i.kind,
                    "framework": i.framework,
                    "text": i.text,
                    "evidence": "\n".join(i.evidence),
                    "done": i.done,
                }
                for i in start.items
            ]
        return cls(
            ScopeForm(data, initial=main),
            _rows(LineForm, data, lines, "lines", blank=len(domain.STANDARD_MIX), types=types),
            _rows(MonthForm, data, months, "months", blank=2, base=MonthFormSet),
            _rows(BaselineForm, data, baselines, "baselines", blank=len(Channel.values)),
            _rows(ItemForm, data, items, "items", blank=3),
        )

    @property
    def formsets(self) -> list[Any]:
        return [self.lines, self.months, self.baselines, self.items]

    def is_valid(self) -> bool:
        # Validate every part, so each shows its own errors at once.
        results = [self.main.is_valid(), *(f.is_valid() for f in self.formsets)]
        return all(results)

    def scope_input(self) -> services.ScopeInput:
        data = self.main.cleaned_data
        return services.ScopeInput(
            monthly_volume=data["monthly_volume"],
            first_month=data["first_month"],
            lines=self.lines.rows(),
            shifts=data["shifts"],
            languages=data["languages"],
            timezone=data["timezone"].strip(),
            currency=data["currency"].strip(),
            governance_fte=data["governance_fte"],
            governance_fte_cost=data["governance_fte_cost"],
            months=dict(self.months.rows()),
            baselines=self.baselines.rows(),
            items=self.items.rows(),
            note=data["note"],
        )


# INTERACTION TYPES
# ------------------------------------------------------------------------------


class InteractionTypeForm(forms.Form):
    code = forms.SlugField(
        max_length=50, help_text="Short, lower case, as your helpdesk exports it: billing."
    )
    name = forms.CharField(max_length=100)
    is_brand_sensitive = forms.BooleanField(
        required=False,
        label="Brand-sensitive",
        help_text="Complaints, retention: work usually kept for year two.",
    )
    is_routine = forms.BooleanField(
        required=False,
        label="Routine",
        help_text="Scripted work such as status checks: a partner ramps in weeks.",
    )
