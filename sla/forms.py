"""Forms for contracts, SLAs, bands, volumes, exit criteria and band design.

They parse what people type; the rules (currency codes, dates, hybrid bases, band layouts)
are checked by `sla.services`, whose `DomainError` the views show on the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.models import construct_instance

from kpis.domain import Direction, Kpi
from kpis.periods import Period, PeriodType, periods_between
from partners.forms import ViewerFormMixin
from partners.models import Channel, InteractionType
from sla import domain, services
from sla.models import (
    CONTRACT_FIELDS,
    HYBRID_BASE_CHOICES,
    LOADED_COMPONENTS,
    BandKind,
    Contract,
    ExitCriterion,
    PricingModel,
    Sla,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERCENTAGES = ("credit_cap_pct", "bonus_cap_pct", *(name for name, _ in LOADED_COMPONENTS))


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
            self._update_errors(exc)


# CONTRACTS
# ------------------------------------------------------------------------------


class ContractForm(ViewerFormMixin, ServiceModelForm):
    class Meta:
        model = Contract
        fields = CONTRACT_FIELDS
        widgets = {"start_date": DATE, "end_date": DATE}
        labels = {
            "credit_cap_pct": "Credit cap (% of the month's invoice)",
            "bonus_cap_pct": "Bonus cap (% of the month's invoice)",
            "notice_days": "Notice period (days)",
            **{name: f"{label} (%)" for name, label in LOADED_COMPONENTS},
        }

    GROUPS = (
        ("Contract", ("partner", "name", "start_date", "end_date", "currency", "notice_days")),
        ("Loaded cost on top of each headline rate", tuple(n for n, _ in LOADED_COMPONENTS)),
        ("What quality puts at stake", ("credit_cap_pct", "bonus_cap_pct")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].empty_label = None  # type: ignore[attr-defined]
        self.fields["currency"].widget.attrs.update({"placeholder": "USD", "size": 4})
        for name in PERCENTAGES:
            self.fields[name].required = False
        for name, _ in LOADED_COMPONENTS:
            self.fields[name].help_text = ""
        self.fields[
            "wfm_pct"
        ].help_text = (
            "Each component as a share of the headline rate; together they usually add 10-30%."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in PERCENTAGES:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = Decimal(0)
        return cleaned

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]


class RowFormSet(forms.BaseFormSet):
    """Rows edited together (a rate card's lines, a KPI's bands) and checked as a whole by a
    service."""

    def kept_forms(self) -> list[Any]:
        """The rows kept: filled in and not marked for removal."""
        return [
            form
            for form in self.forms
            if (form in self.initial_forms or form.has_changed())
            and not self._should_delete_form(form)
        ]

    def refuse(self, message: str) -> None:
        """Show a refusal of the rows as a whole above them."""
        self._non_form_errors = self.error_class([message], error_class="nonform")


class RateLineForm(forms.Form):
    """One line of the rate card. Blank choices keep an empty extra row empty (a select
    would otherwise post its first option and the row would count as filled in)."""

    channel = forms.ChoiceField(choices=[("", "—"), *Channel.choices])
    interaction_type = forms.ModelChoiceField(
        queryset=InteractionType.objects.none(),
        required=False,
        empty_label="All (every other type)",
        label="Interaction type",
    )
    pricing_model = forms.ChoiceField(choices=[("", "—"), *PricingModel.choices], label="Model")
    rate = forms.DecimalField(max_digits=16, decimal_places=4, required=False)
    hybrid_base = forms.ChoiceField(
        choices=[("", "—"), *HYBRID_BASE_CHOICES], required=False, label="Hybrid base"
    )
    resolution_bonus = forms.DecimalField(
        max_digits=16, decimal_places=4, required=False, label="Bonus per resolved contact"
    )

    def __init__(self, *args: Any, interaction_types: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if interaction_types is not None:
            self.fields["interaction_type"].queryset = interaction_types  # type: ignore[attr-defined]
        for name in ("rate", "resolution_bonus"):
            self.fields[name].widget.attrs["step"] = "any"
        for name, field in self.fields.items():
            # Rows are table cells under a header: each input names itself for screen readers.
            field.widget.attrs.setdefault("aria-label", field.label or name.replace("_", " "))

    def rate_input(self) -> services.RateInput:
        data = self.cleaned_data
        return services.RateInput(
            channel=data["channel"],
            pricing_model=data["pricing_model"],
            rate=data["rate"],
            interaction_type=data["interaction_type"],
            hybrid_base=data["hybrid_base"],
            resolution_bonus=data["resolution_bonus"],
        )


class BaseRateFormSet(RowFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs["aria-label"] = "Remove this line"

    def rates(self) -> list[services.RateInput]:
        return [form.rate_input() for form in self.kept_forms()]


def rate_formset_class(*, extra: int) -> type[BaseRateFormSet]:
    """Rate-card lines, with `extra` blank rows (static/js/formset_rows.js adds more)."""
    return forms.formset_factory(  # type: ignore[no-any-return]
        RateLineForm, formset=BaseRateFormSet, extra=extra, can_delete=True, max_num=40
    )


def rate_initial(contract: Contract) -> list[dict[str, Any]]:
    """Formset rows for a contract's rate card, numbers written as people would type them."""
    return rate_rows(contract.rates.all())


def rate_rows(lines: Iterable[Any]) -> list[dict[str, Any]]:
    """Formset rows for rate-card lines: a contract's, or any with the same fields (a
    candidate's quote), numbers written as people would type them."""
    return [
        {
            "channel": line.channel,
            "interaction_type": line.interaction_type_id,
            "pricing_model": line.pricing_model,
            "rate": domain.plain_number(line.rate),
            "hybrid_base": line.hybrid_base,
            "resolution_bonus": (
                domain.plain_number(line.resolution_bonus) if line.resolution_bonus else None
            ),
        }
        for line in lines
    ]


@dataclass(frozen=True)
class ContractStart:
    """What a new contract's form starts from: its terms (`initial`), its rate-card rows,
    and where they come from, in words ("Harborline's quote in Support partner 2025")."""

    initial: dict[str, Any]
    rates: list[dict[str, Any]]
    source: str


# Query parameters of the new-contract page that start its form from elsewhere: parameter
# name → (viewer, value) → ContractStart, raising Http404 for what the viewer may not see.
# The apps above sla fill it at start-up (`AppConfig.ready`), so that sla imports none of
# them: engagements adds `?from_candidate=<id>`, a chosen candidate's quote.
CONTRACT_STARTS: dict[str, Callable[[Any, str], ContractStart]] = {}


# SLAS, GOVERNED KPIS AND BANDS
# ------------------------------------------------------------------------------


class SlaForm(ServiceModelForm):
    class Meta:
        model = Sla
        fields = ["name", "plan_exit_periods", "remediation_days"]
        labels = {
            "plan_exit_periods": "Months at SLA to close a remediation plan",
            "remediation_days": "Days to deliver a remediation plan",
        }


UNIT_HELP = (
    "Bounds in the unit people read: percentages as 0-100, AHT and first response in "
    "seconds, NPS -100 to 100, CES 1-7. Adjacent bands share a bound; "
)

# Which band holds a shared bound, by the KPI's direction (sla.domain.Band.contains).
BOUND_HELP = {
    Direction.HIGHER_IS_BETTER: (
        "higher is better for {kpi}, so a band holds its lower bound, as contracts write it: "
        "with bonus from 88 and base from 82 to 88, exactly 88 is bonus (“88% and above”) "
        "and base is “82% to below 88%”."
    ),
    Direction.LOWER_IS_BETTER: (
        "lower is better for {kpi}, so a band holds its upper bound, as contracts write it: "
        "with base up to 480 and review above, exactly 480 is base (“480 s or less”) and "
        "review is “above 480 s”."
    ),
}
BOTH_HELP = (
    "a band holds its lower bound when higher is better (CSAT “88% and above”) and its "
    "upper bound when lower is better (AHT “480 s or less”)."
)


def unit_help(kpi: domain.GovernableKpi | None) -> str:
    """The band editor's help: units, and which side of a shared bound each band holds for
    this KPI's direction (both rules while no KPI is chosen)."""
    if kpi is None:
        return UNIT_HELP + BOTH_HELP
    return UNIT_HELP + BOUND_HELP[kpi.direction].format(kpi=kpi.label)


class GovernedKpiForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices)
    kpi = forms.ChoiceField(
        label="KPI", choices=[(k.key, k.label) for k in domain.GOVERNABLE.values()]
    )
    guardrail = forms.BooleanField(
        required=False,
        help_text="A guardrail opens a review and never moves money (AHT and other "
        "efficiency KPIs).",
    )
    min_sample = forms.IntegerField(
        min_value=1,
        initial=domain.DEFAULT_MIN_SAMPLE,
        label="Minimum sample",
        help_text="Below this many observations in a month no band is decided and no money "
        "moves, whichever band the value is in.",
    )

    def chosen_kpi(self) -> domain.GovernableKpi | None:
        """The KPI posted or given, when it is one an SLA can govern."""
        key = self.data.get("kpi") if self.is_bound else self.initial.get("kpi")
        return domain.GOVERNABLE.get(key) if isinstance(key, str) else None


class BandForm(forms.Form):
    # The empty choice keeps a blank extra row blank: a select would otherwise post its first
    # option and the row would count as filled in.
    kind = forms.ChoiceField(choices=[("", "—"), *BandKind.choices])
    label = forms.CharField(max_length=50, required=False)
    lower = forms.DecimalField(
        max_digits=14, decimal_places=4, required=False, label="From (lower bound)"
    )
    upper = forms.DecimalField(
        max_digits=14, decimal_places=4, required=False, label="Up to (upper bound)"
    )
    bonus_pct = forms.DecimalField(
        max_digits=5, decimal_places=2, required=False, initial=0, label="Bonus %"
    )
    credit_pct = forms.DecimalField(
        max_digits=5, decimal_places=2, required=False, initial=0, label="Credit %"
    )
    opens_remediation = forms.BooleanField(required=False, label="Opens remediation")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lower", "upper"):
            self.fields[name].widget.attrs["placeholder"] = "none"
        for name in ("lower", "upper", "bonus_pct", "credit_pct"):
            self.fields[name].widget.attrs["step"] = "any"

    def preview(self, kpi: domain.GovernableKpi | None) -> str:
        """How the row's bounds read for `kpi` ('82% to below 88%'); empty for a blank or
        broken row, or while no KPI is chosen."""
        if kpi is None:
            return ""
        if self.is_bound:
            if not self.is_valid() or not self.cleaned_data.get("kind"):
                return ""
            band = self.band()
        else:
            if not self.initial.get("kind"):
                return ""
            lower, upper = self.initial.get("lower"), self.initial.get("upper")
            band = domain.Band(
                domain.BandKind(self.initial["kind"]),
                Decimal(lower) if lower not in (None, "") else None,
                Decimal(upper) if upper not in (None, "") else None,
            )
        return domain.bounds_text(band, kpi)

    def band(self) -> domain.Band:
        data = self.cleaned_data
        return domain.Band(
            domain.BandKind(data["kind"]),
            data["lower"],
            data["upper"],
            data["bonus_pct"] or Decimal(0),
            data["credit_pct"] or Decimal(0),
            data["opens_remediation"],
            data["label"].strip(),
        )


class BaseBandFormSet(RowFormSet):
    def bands(self) -> list[domain.Band]:
        return [form.band() for form in self.kept_forms()]


def band_formset_class(*, extra: int) -> type[BaseBandFormSet]:
    """Band rows, with `extra` blank rows to add bands (static/js/formset_rows.js adds more)."""
    return forms.formset_factory(  # type: ignore[no-any-return]
        BandForm, formset=BaseBandFormSet, extra=extra, can_delete=True, max_num=20
    )


def band_initial(bands: list[domain.Band]) -> list[dict[str, Any]]:
    """Formset rows for existing bands, numbers written as people would type them."""

    def number(value: Decimal | None) -> str | None:
        return None if value is None else domain.plain_number(value)

    return [
        {
            "kind": b.kind.value,
            "label": b.label,
            "lower": number(b.lower),
            "upper": number(b.upper),
            "bonus_pct": number(b.bonus_pct),
            "credit_pct": number(b.credit_pct),
            "opens_remediation": b.opens_remediation,
        }
        for b in bands
    ]


class TemplateForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices)
    template = forms.ChoiceField(
        choices=[(t.key, t.label) for t in domain.TEMPLATES.values()], widget=forms.RadioSelect
    )


# VOLUMES
# ------------------------------------------------------------------------------


class MonthField(forms.DateField):
    """A month as YYYY-MM (or any day of it), cleaned to the month's first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class VolumeForm(forms.Form):
    """One month: agent hours and FTE per channel (`hours_<channel>`, `fte_<channel>`).

    Negative numbers are not refused here: the service refuses them, and the view saves
    every row in one transaction, so a refused row leaves the month as it was."""

    month = MonthField()

    def __init__(self, *args: Any, channels: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The channels of the contract's rate card: hours of any other would bill nothing.
        self.channels = [(c, label) for c, label in Channel.choices if c in (channels or [c])]
        for channel, label in self.channels:
            self.fields[f"hours_{channel}"] = forms.DecimalField(
                max_digits=12, decimal_places=2, required=False, label=f"{label} agent hours"
            )
            self.fields[f"fte_{channel}"] = forms.DecimalField(
                max_digits=8, decimal_places=2, required=False, label=f"{label} FTE"
            )

    def rows(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (channel, label, self[f"hours_{channel}"], self[f"fte_{channel}"])
            for channel, label in self.channels
        ]

    def entered(self) -> list[tuple[str, Decimal | None, Decimal | None]]:
        """(channel, hours, fte) of each row with a value."""
        data = self.cleaned_data
        rows = [(c, data.get(f"hours_{c}"), data.get(f"fte_{c}")) for c, _ in self.channels]
        return [(c, h, f) for c, h, f in rows if h is not None or f is not None]


# EXIT CRITERIA
# ------------------------------------------------------------------------------


class ExitCriterionForm(ServiceModelForm):
    class Meta:
        model = ExitCriterion
        fields = [
            "kpi",
            "channel",
            "comparison",
            "threshold",
            "periods",
            "period_type",
            "despite_remediation",
        ]
        labels = {"kpi": "KPI", "periods": "For how many consecutive", "period_type": "Periods"}
        help_texts = {
            "threshold": "In the KPI's unit: percentages as 0-100 (80 for 80%), durations in "
            "seconds.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", "All channels"), *Channel.choices]  # type: ignore[attr-defined]
        self.fields["channel"].help_text = ""


# BAND DESIGN
# ------------------------------------------------------------------------------

# KPIs measured from KPI data (QA scores come from QA evaluations, not weekly snapshots).
DESIGN_KPIS = [
    (k.key, k.label) for k in domain.GOVERNABLE.values() if k.key in Kpi._value2member_map_
]


class DesignForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices)
    kpi = forms.ChoiceField(label="KPI", choices=DESIGN_KPIS)
    first_week = forms.DateField(widget=DATE, label="From the week of")
    last_week = forms.DateField(widget=DATE, label="To the week of")
    cut_1 = forms.DecimalField(
        max_digits=5, decimal_places=2, label="Penalty below percentile", initial=10
    )
    cut_2 = forms.DecimalField(
        max_digits=5, decimal_places=2, label="Remediation below percentile", initial=40
    )
    cut_3 = forms.DecimalField(
        max_digits=5, decimal_places=2, label="Bonus from percentile", initial=80
    )

    MAX_WEEKS = 104

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_week"), cleaned.get("last_week")
        if first and last:
            if last < first:
                self.add_error("last_week", "The last week comes before the first.")
            elif len(periods_between(PeriodType.WEEK, first, last)) > self.MAX_WEEKS:
                self.add_error("last_week", f"Choose at most {self.MAX_WEEKS} weeks.")
        return cleaned

    def weeks(self) -> list[Period]:
        data = self.cleaned_data
        return periods_between(PeriodType.WEEK, data["first_week"], data["last_week"])

    def cuts(self) -> tuple[Decimal, Decimal, Decimal]:
        data = self.cleaned_data
        return (data["cut_1"], data["cut_2"], data["cut_3"])
