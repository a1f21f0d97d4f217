"""Cost per resolved contact over REST: a partner's loaded cost per channel and month
beside the in-house baseline, and last quarter priced under each pricing model."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rest_framework import serializers

from engagements import domain, selectors
from engagements.api.serializers.fields import figure_field, money_field
from partners.models import Channel, Partner


class CostQuerySerializer(serializers.Serializer[Any]):
    partner = serializers.IntegerField()
    months = serializers.IntegerField(min_value=1, max_value=24, default=6)


class CostFiguresSerializer(serializers.Serializer[Any]):
    headline = money_field(help_text="Charges on the partner's invoice.")
    loaded = money_field(help_text="Headline plus the contract's loaded-cost components.")
    governance = money_field(help_text="The buyer's governance cost allotted by contacts.")
    total = money_field(help_text="Loaded plus governance.")
    resolved = serializers.IntegerField(help_text="First-contact resolutions.")
    cost_per_resolved = figure_field(2, source="per_resolved", help_text="Total / resolved.")


class CostRowSerializer(CostFiguresSerializer):
    month = serializers.DateField()
    channel = serializers.ChoiceField(choices=Channel.choices)


class CostTotalSerializer(CostFiguresSerializer):
    month = serializers.DateField()


class InHouseCostSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=Channel.choices)
    cost_per_resolved = figure_field(
        2, help_text="The in-house baseline's cost per resolved contact."
    )


class CostSerializer(serializers.Serializer[Any]):
    """One partner's loaded cost per channel and month, and what it cost per resolved
    contact, beside the in-house team's."""

    partner = serializers.IntegerField()
    currency = serializers.CharField(allow_null=True, help_text="Null: no settlement or scope.")
    months = serializers.ListField(child=serializers.DateField(), help_text="Oldest first.")
    governance_monthly = money_field()
    rows = CostRowSerializer(many=True, help_text="Per month and channel, months with invoices.")
    totals = CostTotalSerializer(many=True, help_text="Every channel of a month.")
    in_house = InHouseCostSerializer(many=True)
    in_house_overall = figure_field(2)

    @staticmethod
    def of(partner: Partner, view: selectors.CostView) -> dict[str, Any]:
        def figures(cost: domain.MonthCost, **keys: Any) -> dict[str, Any]:
            return {**keys, **asdict(cost), "total": cost.total, "per_resolved": cost.per_resolved}

        return {
            "partner": partner.pk,
            "currency": view.currency,
            "months": view.months,
            "governance_monthly": view.governance_monthly,
            "rows": [
                figures(view.cells[(channel, month)], month=month, channel=channel)
                for month in view.months
                for channel in view.channels
                if (channel, month) in view.cells
            ],
            "totals": [
                figures(view.totals[month], month=month)
                for month in view.months
                if month in view.totals
            ],
            "in_house": [
                {"channel": channel, "cost_per_resolved": cost}
                for channel, cost in view.in_house.items()
            ],
            "in_house_overall": view.in_house_overall,
        }


class WhatIfQuerySerializer(serializers.Serializer[Any]):
    partner = serializers.IntegerField()


class WhatIfQuarterSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    start = serializers.DateField()
    end = serializers.DateField()


class WhatIfVolumesSerializer(serializers.Serializer[Any]):
    hours = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    fte = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    contacts = serializers.IntegerField()
    resolved = serializers.IntegerField()


class WhatIfRowSerializer(serializers.Serializer[Any]):
    model = serializers.CharField(help_text="per_hour, per_fte, per_contact, ...")
    label = serializers.CharField()  # type: ignore[assignment]
    rate_text = serializers.CharField(help_text="The equivalent rate, in words.")
    amount = figure_field(4, help_text="The quarter's actual volumes at that rate.")
    difference = figure_field(4, help_text="Amount minus what was invoiced.")
    current = serializers.BooleanField(help_text="The partner's contract uses this model.")


class WhatIfSerializer(serializers.Serializer[Any]):
    """Last complete quarter priced under each pricing model, each rate set so that the
    scope's forecast would have cost what the contract charges for it (`planned_cost`)."""

    partner = serializers.IntegerField()
    quarter = WhatIfQuarterSerializer(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    actual_cost = figure_field(4, help_text="What the partner invoiced in the quarter.")
    planned_cost = figure_field(
        4, help_text="What the contract would have charged for the forecast."
    )
    actual = WhatIfVolumesSerializer(allow_null=True)
    expected = WhatIfVolumesSerializer(
        allow_null=True, help_text="The forecast at the in-house FCR."
    )
    expected_fcr_pct = figure_field(1)
    rows = WhatIfRowSerializer(many=True)
    note = serializers.CharField(allow_blank=True, help_text="Why there are no rows, if so.")

    @staticmethod
    def of(partner: Partner, what_if: selectors.WhatIf | None) -> dict[str, Any]:
        if what_if is None:
            return {
                "partner": partner.pk,
                "quarter": None,
                "currency": None,
                "actual_cost": None,
                "planned_cost": None,
                "actual": None,
                "expected": None,
                "expected_fcr_pct": None,
                "rows": [],
                "note": (
                    "Nothing to price: the partner needs a scope of work and a settlement in "
                    "the last complete quarter."
                ),
            }
        return {
            "partner": partner.pk,
            "quarter": {
                "label": what_if.quarter.label,
                "start": what_if.quarter.start,
                "end": what_if.quarter.end,
            },
            "currency": what_if.currency,
            "actual_cost": what_if.actual_cost,
            "planned_cost": what_if.planned_cost,
            "actual": what_if.actual,
            "expected": what_if.expected,
            "expected_fcr_pct": what_if.expected_fcr_pct,
            "rows": [{**asdict(row), "model": row.model.value} for row in what_if.rows],
            "note": "",
        }
