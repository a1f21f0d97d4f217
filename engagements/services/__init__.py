"""Writing the engagement: scope versions, selections with their candidates, scores and red
flags, choosing a candidate, and moving an engagement through its stages. Pages, API views
and the demo all go through these functions, which check the viewer's role (`require_role`)
and scope (`ensure_in_scope`) and the rules, and raise `DomainError` naming the problem.
Each runs in one transaction: nothing is half-written.

One module per part, every name re-exported here (`engagements.services.scope_save`):
`interaction_types`, `scope` (scope versions), `selection` (selections, candidates, scores,
red flags, choosing), `stages`; `common` holds the checks and the audit they share.
"""

from __future__ import annotations

from engagements.services.common import CHANNELS, EVIDENCE_URL
from engagements.services.interaction_types import (
    interaction_type_create,
    scoped_types,
    standard_types_ensure,
)
from engagements.services.scope import (
    BaselineInput,
    ItemInput,
    LineInput,
    ScopeInput,
    scope_input_from,
    scope_save,
)
from engagements.services.selection import (
    CHANNEL_LABELS,
    ScoreInput,
    candidate_choose,
    candidate_save,
    criteria_weights_save,
    red_flag_add,
    red_flag_remove,
    scores_save,
    selection_create,
    selection_update,
)
from engagements.services.stages import (
    StageInput,
    current_stage,
    stage_start,
)
from sla.services import RateInput  # a quote's lines are given as a contract's are

__all__ = [
    "BaselineInput",
    "candidate_choose",
    "candidate_save",
    "CHANNEL_LABELS",
    "CHANNELS",
    "criteria_weights_save",
    "current_stage",
    "EVIDENCE_URL",
    "interaction_type_create",
    "ItemInput",
    "LineInput",
    "RateInput",
    "red_flag_add",
    "red_flag_remove",
    "scope_input_from",
    "scope_save",
    "scoped_types",
    "ScopeInput",
    "ScoreInput",
    "scores_save",
    "selection_create",
    "selection_update",
    "stage_start",
    "StageInput",
    "standard_types_ensure",
]
