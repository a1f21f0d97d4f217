"""The engagement over REST, one module per subdomain: scope versions (`scope`), candidates
with their comparison figures and scores (`selection`), engagement stages with their gates
(`stages`), and cost per resolved contact (`costs`). Money and figures are decimals sent as
strings ("4000.0000"); shares are fractions from 0 to 1.

These serializers only check the shape of what comes in (types, choices, references to the
caller's own objects); `engagements.services` checks the rules, which the views call. Every
public name is importable from here.
"""

from __future__ import annotations

from engagements.api.serializers.costs import (
    CostFiguresSerializer,
    CostQuerySerializer,
    CostRowSerializer,
    CostSerializer,
    CostTotalSerializer,
    InHouseCostSerializer,
    WhatIfQuarterSerializer,
    WhatIfQuerySerializer,
    WhatIfRowSerializer,
    WhatIfSerializer,
    WhatIfVolumesSerializer,
)
from engagements.api.serializers.fields import (
    channel_field,
    figure_field,
    money_field,
    partner_side,
    shift_field,
)
from engagements.api.serializers.scope import (
    DisciplineQuerySerializer,
    ForecastQuerySerializer,
    ForecastVsActualSerializer,
    OutOfScopeSerializer,
    ScopeBaselineInputSerializer,
    ScopeBaselineSerializer,
    ScopeDisciplineSerializer,
    ScopeInputSerializer,
    ScopeItemInputSerializer,
    ScopeItemSerializer,
    ScopeLineInputSerializer,
    ScopeLineSerializer,
    ScopeMonthInputSerializer,
    ScopeMonthSerializer,
    ScopeSerializer,
    VolumeMonthSerializer,
    VolumeTypeSerializer,
)
from engagements.api.serializers.selection import (
    CandidateComparisonSerializer,
    CandidateDetailSerializer,
    CandidateEvaluationInputSerializer,
    CandidateEvaluationSerializer,
    CandidateRateSerializer,
    CandidateScoreInputSerializer,
    CandidateScoreSheetSerializer,
    CandidateSerializer,
    ChannelProjectionSerializer,
    CriterionMedianSerializer,
    EvaluatorScoreSerializer,
    ProjectionSerializer,
    QuoteLineFiguresSerializer,
    RedFlagInputSerializer,
    RedFlagSerializer,
)
from engagements.api.serializers.stages import (
    StageInputSerializer,
    StageSerializer,
    expansion_field,
    stage_kind_field,
)

__all__ = [
    "CandidateComparisonSerializer",
    "CandidateDetailSerializer",
    "CandidateEvaluationInputSerializer",
    "CandidateEvaluationSerializer",
    "CandidateRateSerializer",
    "CandidateScoreInputSerializer",
    "CandidateScoreSheetSerializer",
    "CandidateSerializer",
    "ChannelProjectionSerializer",
    "CostFiguresSerializer",
    "CostQuerySerializer",
    "CostRowSerializer",
    "CostSerializer",
    "CostTotalSerializer",
    "CriterionMedianSerializer",
    "DisciplineQuerySerializer",
    "EvaluatorScoreSerializer",
    "ForecastQuerySerializer",
    "ForecastVsActualSerializer",
    "InHouseCostSerializer",
    "OutOfScopeSerializer",
    "ProjectionSerializer",
    "QuoteLineFiguresSerializer",
    "RedFlagInputSerializer",
    "RedFlagSerializer",
    "ScopeBaselineInputSerializer",
    "ScopeBaselineSerializer",
    "ScopeDisciplineSerializer",
    "ScopeInputSerializer",
    "ScopeItemInputSerializer",
    "ScopeItemSerializer",
    "ScopeLineInputSerializer",
    "ScopeLineSerializer",
    "ScopeMonthInputSerializer",
    "ScopeMonthSerializer",
    "ScopeSerializer",
    "StageInputSerializer",
    "StageSerializer",
    "VolumeMonthSerializer",
    "VolumeTypeSerializer",
    "WhatIfQuarterSerializer",
    "WhatIfQuerySerializer",
    "WhatIfRowSerializer",
    "WhatIfSerializer",
    "WhatIfVolumesSerializer",
    "channel_field",
    "expansion_field",
    "figure_field",
    "money_field",
    "partner_side",
    "shift_field",
    "stage_kind_field",
]
