"""What the engagement's models share: who staff are, and money and percentage fields."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sla.models import PERCENT

STAFF = settings.AUTH_USER_MODEL


def money_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=16, decimal_places=4, **kwargs)  # type: ignore[arg-type]


def percent_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT, **kwargs)  # type: ignore[arg-type]
