"""The engagement with a partner before and around the scorecards: the versioned scope of
work, the selection that chose the partner, and the stages the engagement has moved
through with their gates. The rules live in `engagements.domain`.

One module per part, every model and choice re-exported here (`engagements.models.Selection`):
`selection` (selections, candidates with their quotes, scores, red flags), `scope` (scope
versions with their mix, seasonal months, baselines and checklist), `stages` (engagement
stages); `fields` holds what they share.
"""

from __future__ import annotations

from engagements.models.scope import (
    Baseline,
    BaselineSource,
    ForecastMonth,
    Framework,
    ItemKind,
    ScopeItem,
    ScopeLine,
    ScopeVersion,
    Shift,
)
from engagements.models.selection import (
    CANDIDATE_FIELDS,
    AttritionTrend,
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    CandidateScore,
    Selection,
    SelectionCriterion,
    SelectionStatus,
)
from engagements.models.stages import (
    EngagementStage,
    Expansion,
    StageKind,
)

__all__ = [
    "AttritionTrend",
    "Baseline",
    "BaselineSource",
    "Candidate",
    "CANDIDATE_FIELDS",
    "CandidateRate",
    "CandidateRedFlag",
    "CandidateScore",
    "EngagementStage",
    "Expansion",
    "ForecastMonth",
    "Framework",
    "ItemKind",
    "ScopeItem",
    "ScopeLine",
    "ScopeVersion",
    "Selection",
    "SelectionCriterion",
    "SelectionStatus",
    "Shift",
    "StageKind",
]
