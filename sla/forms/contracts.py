"""Forms for contracts: their terms and rate card, the volumes entered for a month, and
their exit criteria.

They parse what people type; the rules (currency codes, dates, hybrid bases) are checked by
`sla.services`, whose `DomainError` the views show on the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms

from partners.forms import ViewerFormMixin
from partners.models import Channel, InteractionType
from sla import domain, services
from sla.forms.common import DATE, RowFormSet, ServiceModelForm
from sla.models import (
    CONTRACT_FIELDS,
    HYBRID_BASE_CHOICES,
    LOADED_COMPONENTS,
    Contract,
    ExitCriterion,
    PricingModel,
)

PERCENTAGES = ("credit_cap_pct", "bonus_cap_pct", *(name for name, _ in LOADED_COMPONENTS))

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
    return cast(
        type[BaseRateFormSet],
        forms.formset_factory(
            RateLineForm, formset=BaseRateFormSet, extra=extra, can_delete=True, max_num=40
        ),
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
