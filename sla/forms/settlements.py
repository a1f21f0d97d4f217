"""The settlement list's filter."""

from __future__ import annotations

from django import forms

from sla.forms.common import PartnerFilterForm
from sla.selectors.settlements import SETTLEMENT_FILTERS


class SettlementFilterForm(PartnerFilterForm):
    status = forms.ChoiceField(choices=[("", "Any status"), *SETTLEMENT_FILTERS], required=False)
