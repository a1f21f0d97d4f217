"""Calibration over REST: rubrics, QA evaluations and disputes, calibration sessions, scores
and the outcomes of the debrief. Scores and answers are decimals sent as strings ("4.00");
an answer of null is N/A.

Writes are checked by `calibration.services`, which the views call; these serializers only
check the shape of what comes in (types, choices, references to the caller's own objects).
Calibration scores are never read here: the views hand these serializers what
`calibration.blind` lets the caller see.

One module per subdomain: `rubrics`, `evaluations` (QA evaluations and disputes), `sessions`,
`scores`, `debrief` (consensus, notes, disagreements, outcome items); `fields` holds what
they share. They import each other directly, never through this package.
"""

from __future__ import annotations

from calibration.api.serializers.debrief import (
    ConsensusInputSerializer,
    ConsensusSerializer,
    DisagreementSerializer,
    NoActionInputSerializer,
    NoActionNoteSerializer,
    OutcomeCreateSerializer,
    OutcomeItemSerializer,
    OutcomeUpdateSerializer,
)
from calibration.api.serializers.evaluations import (
    DisputeCreateSerializer,
    DisputeResolveSerializer,
    DisputeSerializer,
    EvaluationAnswerSerializer,
    QaEvaluationCreateSerializer,
    QaEvaluationSerializer,
)
from calibration.api.serializers.fields import (
    AnswersMixin,
    MemberField,
    SessionItemRefMixin,
    answers_field,
    display_name,
    side_field,
)
from calibration.api.serializers.rubrics import (
    CriterionSerializer,
    RubricCreateSerializer,
    RubricSerializer,
    RubricUpdateSerializer,
    chosen_version,
)
from calibration.api.serializers.scores import (
    ScoreInputSerializer,
    ScoreQuerySerializer,
    ScoreSaveSerializer,
    ScoreSerializer,
)
from calibration.api.serializers.sessions import (
    CalibrationSessionSerializer,
    DrawSerializer,
    ItemAddSerializer,
    ReviewerAddSerializer,
    SessionCreateSerializer,
    SessionItemSerializer,
    SessionReviewerSerializer,
)

__all__ = [
    "AnswersMixin",
    "CalibrationSessionSerializer",
    "ConsensusInputSerializer",
    "ConsensusSerializer",
    "CriterionSerializer",
    "DisagreementSerializer",
    "DisputeCreateSerializer",
    "DisputeResolveSerializer",
    "DisputeSerializer",
    "DrawSerializer",
    "EvaluationAnswerSerializer",
    "ItemAddSerializer",
    "MemberField",
    "NoActionInputSerializer",
    "NoActionNoteSerializer",
    "OutcomeCreateSerializer",
    "OutcomeItemSerializer",
    "OutcomeUpdateSerializer",
    "QaEvaluationCreateSerializer",
    "QaEvaluationSerializer",
    "ReviewerAddSerializer",
    "RubricCreateSerializer",
    "RubricSerializer",
    "RubricUpdateSerializer",
    "ScoreInputSerializer",
    "ScoreQuerySerializer",
    "ScoreSaveSerializer",
    "ScoreSerializer",
    "SessionCreateSerializer",
    "SessionItemRefMixin",
    "SessionItemSerializer",
    "SessionReviewerSerializer",
    "answers_field",
    "chosen_version",
    "display_name",
    "side_field",
]
