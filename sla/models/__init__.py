"""Contracts and what they make of the KPI data: SLAs with banded KPIs per channel, the band
each KPI stands in every month, settlements with credits and bonuses, remediation plans and
exit criteria.

The rules themselves (band layouts, evaluation, money) live in `sla.domain`; these models
hold their inputs and their results, and convert to the domain's types. One module per
subdomain (`contracts`, `slas`, `settlements`, `plans`; `fields` holds the shapes they
share); every model is imported here, so Django finds it and `from sla.models import
Settlement` works as it always did.
"""

from sla.models.contracts import (
    CONTRACT_FIELDS,
    HYBRID_BASE_CHOICES,
    LOADED_COMPONENTS,
    RATE_FIELDS,
    ChannelVolume,
    Comparison,
    Contract,
    ExitCriterion,
    ExitPeriod,
    PricedLine,
    PricingModel,
    RateLine,
    channel_order,
    one_line_per_channel_and_type,
)
from sla.models.fields import KPI_CHOICES, NOT_NEGATIVE, PERCENT
from sla.models.plans import (
    PlanKind,
    PlanStatus,
    RemediationPlan,
)
from sla.models.settlements import (
    CarriedAdjustment,
    LineBasis,
    Settlement,
    SettlementLine,
    SettlementStatus,
)
from sla.models.slas import (
    Band,
    BandKind,
    BandStatus,
    Decision,
    GovernedKpi,
    Heading,
    Sla,
)

__all__ = [
    "KPI_CHOICES",
    "NOT_NEGATIVE",
    "PERCENT",
    "Band",
    "BandKind",
    "BandStatus",
    "CarriedAdjustment",
    "ChannelVolume",
    "Comparison",
    "Contract",
    "CONTRACT_FIELDS",
    "Decision",
    "ExitCriterion",
    "ExitPeriod",
    "GovernedKpi",
    "Heading",
    "HYBRID_BASE_CHOICES",
    "LineBasis",
    "LOADED_COMPONENTS",
    "PlanKind",
    "PlanStatus",
    "PricingModel",
    "RATE_FIELDS",
    "PricedLine",
    "RateLine",
    "channel_order",
    "one_line_per_channel_and_type",
    "RemediationPlan",
    "Settlement",
    "SettlementLine",
    "SettlementStatus",
    "Sla",
]
