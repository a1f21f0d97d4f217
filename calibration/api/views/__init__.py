"""Rubrics, QA evaluations and disputes, calibration sessions, their scores and outcomes over
REST.

Every member of the account reads (partner-side callers their own partner's data only, by
`ScopedQuerysetMixin`); writes go through `calibration.services`, which check the role again
and the rules, and answer a broken rule with a 400 naming it.

The blind rule: calibration scores are read through `calibration.blind` only, one session at
a time (`GET /scores/?session=`, `calibration.api.views.scores`). Before the reveal a
reviewer sees their own scores and nobody sees anyone else's; no other endpoint returns
scores, nor anything computed from them.

One module per subdomain: `rubrics`, `evaluations` (QA evaluations and disputes), `sessions`,
`scores` and `outcomes`. They import each other directly, never through this package.
"""

from __future__ import annotations

from calibration.api.views.evaluations import DisputeViewSet, QaEvaluationViewSet
from calibration.api.views.outcomes import OutcomeItemViewSet
from calibration.api.views.rubrics import RubricViewSet
from calibration.api.views.scores import ScoreViewSet
from calibration.api.views.sessions import CalibrationSessionViewSet

__all__ = [
    "CalibrationSessionViewSet",
    "DisputeViewSet",
    "OutcomeItemViewSet",
    "QaEvaluationViewSet",
    "RubricViewSet",
    "ScoreViewSet",
]
