"""Forms for SLAs: an SLA's terms, a governed KPI with its bands (the band editor), a
template to start from, and band design from pilot data.

They parse what people type; the band layout as a whole (gaps, overlaps, a better value in a
worse band) is checked by `sla.services`, whose `DomainError` the views show on the form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from kpis.domain import Direction, Kpi
from kpis.periods import Period, PeriodType, periods_between
from partners.models import Channel
from sla import domain
from sla.forms.common import DATE, RowFormSet, ServiceModelForm
from sla.models import BandKind, Sla

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
    return cast(
        type[BaseBandFormSet],
        forms.formset_factory(
            BandForm, formset=BaseBandFormSet, extra=extra, can_delete=True, max_num=20
        ),
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
