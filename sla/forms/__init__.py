"""Forms of the SLA pages, one module per subdomain: contracts (terms, rate card, volumes,
exit criteria), SLAs (bands, templates, band design), settlements and remediation plans.

They parse what people type; the rules are checked by `sla.services`, whose `DomainError`
the views show on the form.
"""

from __future__ import annotations

from sla.forms.common import DATE, PartnerFilterForm, RowFormSet, ServiceModelForm
from sla.forms.contracts import (
    CONTRACT_STARTS,
    PERCENTAGES,
    BaseRateFormSet,
    ContractForm,
    ContractStart,
    ExitCriterionForm,
    MonthField,
    RateLineForm,
    VolumeForm,
    rate_formset_class,
    rate_initial,
    rate_rows,
)
from sla.forms.remediation import PlanFilterForm, PlanForm, UserChoiceField
from sla.forms.settlements import SettlementFilterForm
from sla.forms.slas import (
    BOTH_HELP,
    BOUND_HELP,
    DESIGN_KPIS,
    UNIT_HELP,
    BandForm,
    BaseBandFormSet,
    DesignForm,
    GovernedKpiForm,
    SlaForm,
    TemplateForm,
    band_formset_class,
    band_initial,
    unit_help,
)

__all__ = [
    "BOTH_HELP",
    "BOUND_HELP",
    "BandForm",
    "BaseBandFormSet",
    "BaseRateFormSet",
    "CONTRACT_STARTS",
    "ContractForm",
    "ContractStart",
    "DATE",
    "DESIGN_KPIS",
    "DesignForm",
    "ExitCriterionForm",
    "GovernedKpiForm",
    "MonthField",
    "PERCENTAGES",
    "PartnerFilterForm",
    "PlanFilterForm",
    "PlanForm",
    "RateLineForm",
    "RowFormSet",
    "ServiceModelForm",
    "SettlementFilterForm",
    "SlaForm",
    "TemplateForm",
    "UNIT_HELP",
    "UserChoiceField",
    "VolumeForm",
    "band_formset_class",
    "band_initial",
    "rate_formset_class",
    "rate_initial",
    "rate_rows",
    "unit_help",
]
