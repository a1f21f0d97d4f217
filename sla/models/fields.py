"""The field shapes SLA models share: money, percentages, bounds and measured values, and
the KPIs an SLA can govern as choices."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import NOT_PROVIDED

from sla import domain

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from django.db.models.expressions import Combinable

    _Settable = str | float | Decimal | Combinable
    DecimalValue = models.DecimalField[_Settable, Decimal]
    OptionalDecimal = models.DecimalField[_Settable | None, Decimal | None]

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
NOT_NEGATIVE = [MinValueValidator(Decimal(0))]

KPI_CHOICES = [(k.key, k.label) for k in domain.GOVERNABLE.values()]

# Money: exact, with more decimals than any currency's minor unit; rounded when computed.
MONEY_DIGITS, MONEY_PLACES = 16, 4


def money_field(
    *,
    default: Decimal | type[NOT_PROVIDED] = NOT_PROVIDED,
    validators: Sequence[Callable[[Decimal], None]] = (),
    help_text: str = "",
) -> DecimalValue:
    return models.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=default,
        validators=validators,
        help_text=help_text,
    )


def optional_money_field() -> OptionalDecimal:
    """An amount that may not exist yet (an approved month's figures on the latest data)."""
    return models.DecimalField(
        max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, null=True, blank=True
    )


def pct_field(default: str = "0", *, help_text: str = "") -> DecimalValue:
    """A share of an invoice, 0-100."""
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=PERCENT,
        help_text=help_text,
    )


def bound_field() -> OptionalDecimal:
    """A band's bound in the KPI's unit (percent as 0-100); empty: unbounded."""
    return models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)


def value_field() -> OptionalDecimal:
    """A measured value or an end of its interval, in band units; empty: not measured."""
    return models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
