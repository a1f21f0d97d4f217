"""Writing rubrics, QA evaluations, disputes and calibration sessions. Pages, API views and
tasks call these functions; each checks who is asking and the rules, raises `DomainError`
with a message naming the problem, and writes in one transaction or not at all.

One module per subdomain: `rubrics` (and the check of answers against a version),
`partner_settings`, `evaluations` (QA evaluations and disputes), `sessions` (planning a session,
its reviewers and interactions), `scoring` (blind scoring and the reveal), `alignment`,
`debrief` (consensus, outcomes, closing) and `cadence` (scheduled sessions and reminders);
`roles` says who does what. They import each other directly, never through this package.
"""

from __future__ import annotations

from calibration.services.alignment import (
    SessionData,
    alignment_update,
    compute_alignment,
    session_data,
    side_sheets,
)
from calibration.services.cadence import reminders_send, sessions_schedule
from calibration.services.debrief import (
    DISAGREEMENT_BELOW,
    Disagreement,
    consensus_save,
    no_action_save,
    open_disagreements,
    outcome_add,
    outcome_update,
    session_close,
)
from calibration.services.evaluations import (
    dispute_last_day,
    dispute_raise,
    dispute_resolve,
    evaluation_save,
)
from calibration.services.partner_settings import partner_settings, partner_settings_save
from calibration.services.roles import BUYER_SCORERS, SCORERS, require_facilitator, side_of
from calibration.services.rubrics import (
    CriterionInput,
    checked_answers,
    latest_version,
    rubric_create,
    rubric_update,
    version_create,
)
from calibration.services.scoring import close_scoring, score_save, submit
from calibration.services.sessions import (
    create_session,
    default_people,
    draw_items,
    item_add,
    period_range,
    reviewer_add,
    session_create,
)

__all__ = [
    "BUYER_SCORERS",
    "DISAGREEMENT_BELOW",
    "SCORERS",
    "CriterionInput",
    "Disagreement",
    "SessionData",
    "alignment_update",
    "checked_answers",
    "close_scoring",
    "compute_alignment",
    "consensus_save",
    "create_session",
    "default_people",
    "dispute_last_day",
    "dispute_raise",
    "dispute_resolve",
    "draw_items",
    "evaluation_save",
    "item_add",
    "latest_version",
    "no_action_save",
    "open_disagreements",
    "outcome_add",
    "outcome_update",
    "partner_settings",
    "partner_settings_save",
    "period_range",
    "reminders_send",
    "require_facilitator",
    "reviewer_add",
    "rubric_create",
    "rubric_update",
    "score_save",
    "session_close",
    "session_create",
    "session_data",
    "sessions_schedule",
    "side_of",
    "side_sheets",
    "submit",
    "version_create",
]
