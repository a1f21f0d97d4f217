"""SLA rules: bands, where a KPI value falls in them, and the money that moves. Pure:
standard library and `kpis.domain` only, so that every rule is tested without a database.

One module per subdomain; this package re-exports their public names, so that
`from sla.domain import settle` (or `sla.domain.settle`) works wherever it is used:

- `numbers`: numbers and money as a contract writes them;
- `governable`: the KPIs an SLA can govern, and the unit their bounds are written in;
- `bands`: band layouts, which band holds a value, and the graver band an interval reaches;
- `standing`: where a value stands (decided, insufficient, at risk) and how it reads;
- `projection`: where the current month is heading;
- `rate_cards`: pricing, rate cards and a channel's invoice;
- `settlement`: a partner's month in money, capped;
- `remediation`: when a plan closes, and exit criteria;
- `pilot`: bands suggested from a pilot's values;
- `templates`: the usual band layouts.

Conventions (docs/sla.md, "SLAs and bands"):
- Adjacent bands share a bound, and the bound belongs where the contract puts it: for a
  higher-is-better KPI a band holds its lower bound ("88 % and above" is bonus, exactly 88 %
  too), for a lower-is-better KPI its upper bound ("480 s or less" is base, exactly 480 s
  too). The lowest band has no lower bound and the highest no upper bound, so that every
  value falls in exactly one band.
- The minimum sample below which nothing is decided is one number per governed KPI.
- "At risk": a decided value whose interval reaches a graver band (a larger credit or a
  plan); a better band is no risk.
- Bounds are in the unit people read: percentages as 0-100, durations in seconds, NPS as
  -100..100, CES on its 1-7 scale. `band_unit_value` converts a `KpiValue` to it.
- Money is `Decimal`. Each amount is computed exactly and rounded once, half up, to the
  currency's minor unit when it is created; totals add amounts that are already rounded, so
  the lines of a settlement always add up to its totals.
"""

from sla.domain.bands import (
    Band,
    BandKind,
    band_index,
    band_layout_problems,
    band_warnings,
    bounds_text,
    by_value,
    graver,
    guardrail_problems,
    min_sample_problems,
    range_text,
    risk_band,
)
from sla.domain.governable import (
    CALIBRATION,
    DEFAULT_MIN_SAMPLE,
    GOVERNABLE,
    GovernableKpi,
    band_unit_value,
    governable,
    with_unit,
)
from sla.domain.numbers import (
    HUNDRED,
    ZERO,
    format_money,
    plain_number,
    round_money,
)
from sla.domain.pilot import (
    percentile,
    suggest_bands,
)
from sla.domain.projection import (
    Heading,
    heading,
    project,
    project_amount,
)
from sla.domain.rate_cards import (
    HYBRID_BASES,
    Invoice,
    InvoicePart,
    Pricing,
    PricingModel,
    RateLine,
    TypeVolume,
    Volumes,
    channel_invoice,
    loaded_rate,
    rate_card_invoice,
    rate_card_problems,
    rate_label,
)
from sla.domain.remediation import (
    Comparison,
    ExitPeriod,
    ExitRule,
    exit_streak,
    plan_can_close,
)
from sla.domain.settlement import (
    Line,
    LineInput,
    Settlement,
    band_amount,
    settle,
)
from sla.domain.standing import (
    PLACES,
    BandResult,
    Decision,
    Measured,
    Shown,
    at_risk_note,
    describe,
    evaluate,
    format_value,
    measured_text,
    result_value,
    shown_value,
    where_text,
)
from sla.domain.templates import (
    TEMPLATES,
    Template,
)

__all__ = [
    "at_risk_note",
    "Band",
    "band_amount",
    "band_index",
    "band_layout_problems",
    "band_unit_value",
    "band_warnings",
    "BandKind",
    "BandResult",
    "bounds_text",
    "by_value",
    "CALIBRATION",
    "channel_invoice",
    "Comparison",
    "Decision",
    "DEFAULT_MIN_SAMPLE",
    "describe",
    "evaluate",
    "exit_streak",
    "ExitPeriod",
    "ExitRule",
    "format_money",
    "format_value",
    "GOVERNABLE",
    "governable",
    "GovernableKpi",
    "graver",
    "guardrail_problems",
    "Heading",
    "heading",
    "HUNDRED",
    "HYBRID_BASES",
    "Invoice",
    "InvoicePart",
    "Line",
    "LineInput",
    "loaded_rate",
    "Measured",
    "measured_text",
    "min_sample_problems",
    "percentile",
    "PLACES",
    "plain_number",
    "plan_can_close",
    "Pricing",
    "PricingModel",
    "project",
    "project_amount",
    "range_text",
    "rate_card_invoice",
    "rate_card_problems",
    "rate_label",
    "RateLine",
    "result_value",
    "risk_band",
    "round_money",
    "settle",
    "Settlement",
    "Shown",
    "shown_value",
    "suggest_bands",
    "Template",
    "TEMPLATES",
    "TypeVolume",
    "Volumes",
    "where_text",
    "with_unit",
    "ZERO",
]
