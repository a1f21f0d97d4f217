"""Reads for the calibration pages. Every selector starts from `core.scoping.scope`, and
every calibration score comes through `calibration.blind` (`visible_scores`,
`visible_consensus`): before the reveal a viewer gets their own scores and nothing else.
Lists cost the same number of queries for 2 rows or 200.

One module per subdomain: `sessions` (sessions, a reviewer's own progress, outcome items),
`debrief`, `overview` (per partner, and the scorecard's alignment panel), `rubrics` and
`evaluations` (QA evaluations and disputes); `text` writes numbers and answers as people
read them. They import each other directly, never through this package.
"""

from __future__ import annotations

from calibration.selectors.debrief import (
    AlignmentSummary,
    DebriefItem,
    DebriefRow,
    DebriefSection,
    PendingRow,
    Sheet,
    SideValue,
    debrief,
    visible_sheets,
)
from calibration.selectors.evaluations import (
    AcceptedShare,
    AnswerRow,
    answer_sections,
    change_text,
    dispute_shares,
    disputes_list,
    evaluations_list,
    score_text,
)
from calibration.selectors.overview import (
    OPEN_STATUSES,
    AlignmentPoint,
    PartnerOverview,
    overview,
    recent_alignment,
    scorecard_alignment,
)
from calibration.selectors.rubrics import (
    RubricSection,
    rubric_versions,
    sections_of,
    version_in_use,
)
from calibration.selectors.sessions import (
    REVIEWER_TREND_SESSIONS,
    ToScore,
    answers_needed,
    outcome_for,
    outcomes_list,
    own_answer_count,
    own_scores,
    reviewer_of,
    reviewer_trend,
    session_brief,
    session_for,
    session_notes,
    session_outcomes,
    sessions_list,
    sessions_to_score,
)
from calibration.selectors.text import answer_text, plain, scale_text, signed

__all__ = [
    "OPEN_STATUSES",
    "AcceptedShare",
    "AlignmentPoint",
    "AlignmentSummary",
    "AnswerRow",
    "DebriefItem",
    "DebriefSection",
    "DebriefRow",
    "PartnerOverview",
    "PendingRow",
    "RubricSection",
    "Sheet",
    "SideValue",
    "ToScore",
    "answer_sections",
    "answer_text",
    "answers_needed",
    "change_text",
    "debrief",
    "dispute_shares",
    "disputes_list",
    "evaluations_list",
    "outcome_for",
    "outcomes_list",
    "overview",
    "own_answer_count",
    "own_scores",
    "plain",
    "recent_alignment",
    "reviewer_of",
    "rubric_versions",
    "scale_text",
    "score_text",
    "scorecard_alignment",
    "sections_of",
    "session_brief",
    "session_for",
    "session_notes",
    "session_outcomes",
    "sessions_list",
    "REVIEWER_TREND_SESSIONS",
    "reviewer_trend",
    "sessions_to_score",
    "signed",
    "version_in_use",
    "visible_sheets",
]
