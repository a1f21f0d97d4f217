"""Reading the engagement: a partner's current scope, forecast against actual volume, scope
discipline, expansion gates, cost per resolved contact, the pricing what-if, and the
selection comparison, with the view models the pages show them in. Every queryset comes
through `core.scoping`; aggregations are SQL, and the rules applied to their results are
`engagements.domain`'s.

One module per part, every name re-exported here (`engagements.selectors.comparison`):
`scope` (versions, forecast against actual, discipline, in-house baseline), `gates` (stages
and expansion gates), `cost_per_resolved`, `pricing` (the what-if), `partner_page` (the
partner page's engagement card), `selection` (selections and the comparison); `common`
holds the channel order and the month helpers they share.
"""

from __future__ import annotations

from engagements.selectors.common import (
    CHANNEL_LABELS,
    CHANNEL_ORDER,
)
from engagements.selectors.cost_per_resolved import (
    CostCell,
    CostView,
    costs,
    costs_by_partner,
)
from engagements.selectors.gates import (
    BELOW_BASE,
    gate_for,
    gate_months,
    live_channels,
    next_step,
    recent_alignment,
    stages,
)
from engagements.selectors.partner_page import (
    PartnerEngagement,
    partner_engagement,
)
from engagements.selectors.pricing import (
    MODEL_LABELS,
    WhatIf,
    WhatIfRow,
    what_if,
)
from engagements.selectors.scope import (
    ForecastVsActual,
    TypeRow,
    VolumeRow,
    current_scope,
    current_scopes,
    discipline,
    forecast_total,
    forecast_vs_actual,
    in_house_baseline,
    mix_lines,
    recent_discipline,
    scope_version,
    scope_versions,
    selection_scope,
)
from engagements.selectors.selection import (
    CHANNEL_NAMES,
    CandidateColumn,
    Comparison,
    QuoteLine,
    candidate_for,
    comparison,
    own_scores,
    scope_forecast,
    selection_for,
    selections_list,
)

__all__ = [
    "BELOW_BASE",
    "candidate_for",
    "CandidateColumn",
    "CHANNEL_LABELS",
    "CHANNEL_NAMES",
    "CHANNEL_ORDER",
    "Comparison",
    "comparison",
    "CostCell",
    "costs",
    "costs_by_partner",
    "CostView",
    "current_scope",
    "current_scopes",
    "discipline",
    "forecast_total",
    "forecast_vs_actual",
    "ForecastVsActual",
    "gate_for",
    "gate_months",
    "in_house_baseline",
    "live_channels",
    "mix_lines",
    "MODEL_LABELS",
    "next_step",
    "own_scores",
    "partner_engagement",
    "PartnerEngagement",
    "QuoteLine",
    "recent_alignment",
    "recent_discipline",
    "scope_forecast",
    "scope_version",
    "scope_versions",
    "selection_for",
    "selection_scope",
    "selections_list",
    "stages",
    "TypeRow",
    "VolumeRow",
    "what_if",
    "WhatIf",
    "WhatIfRow",
]
