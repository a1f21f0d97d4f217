"""A partner's calibration settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from calibration.models import PartnerCalibration, Rubric
from core.scoping import Viewer, scope
from partners.forms import ViewerFormMixin


class PartnerSettingsForm(ViewerFormMixin, forms.ModelForm):
    """Parses the settings; the model's own validators name a sample size outside 5-10 or a
    window outside 1-60 days on their field. `services.partner_settings_save` writes."""

    class Meta:
        model = PartnerCalibration
        fields = ["cadence", "rubric", "sample_size", "dispute_window_days"]
        labels = {
            "sample_size": "Interactions per session",
            "dispute_window_days": "Dispute window (days)",
        }
        help_texts = {
            "sample_size": "5 to 10 sampled interactions, scored by both sides.",
            "dispute_window_days": "How long after a buyer's QA evaluation the partner's QA "
            "lead may dispute it (1 to 60 days).",
        }

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, viewer=viewer, **kwargs)
        rubric = self.fields["rubric"]
        rubric.queryset = scope(Rubric, viewer)  # type: ignore[attr-defined]
        rubric.empty_label = "The account's first rubric"  # type: ignore[attr-defined]
        # The browser's hints come from the model's validators (the tightest of them, next
        # to the database's own range), which the form runs.
        for name in ("sample_size", "dispute_window_days"):
            validators = PartnerCalibration._meta.get_field(name).validators  # type: ignore[union-attr]
            lows = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
            highs = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
            attrs = self.fields[name].widget.attrs
            if lows:
                attrs["min"] = max(lows)
            if highs:
                attrs["max"] = min(highs)
