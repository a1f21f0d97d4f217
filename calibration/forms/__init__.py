"""Forms of the calibration pages. They parse what people type; the rules (who may review,
what a scale accepts, the dispute window, when a session may close) are
`calibration.services`', whose `DomainError` the views show as a form error or a message.

One module per subdomain: `sessions` (planning a session, the facilitator's actions),
`answers` (the scoring and consensus inputs), `rubrics` (the rubric editor), `evaluations`
(QA evaluations and disputes), `partner_settings`, and `filters` above every list. Forms that
offer the viewer's own objects take `viewer=` (`partners.forms.ViewerFormMixin`). They import
each other directly, never through this package.
"""

from __future__ import annotations

from calibration.forms.answers import (
    NA,
    AnswerInput,
    Choice,
    InputSection,
    ScoringItem,
    answer_input,
    parse_value,
    posted_answers,
    sections,
)
from calibration.forms.evaluations import (
    DisputeRaiseForm,
    DisputeResolveForm,
    EvaluationForm,
    answer_fields,
    answer_value,
    proposal_choices,
    scale_choices,
)
from calibration.forms.filters import (
    DisputeFilterForm,
    EvaluationFilterForm,
    FilterForm,
    OutcomeFilterForm,
    SessionFilterForm,
)
from calibration.forms.partner_settings import PartnerSettingsForm
from calibration.forms.rubrics import (
    BaseCriterionFormSet,
    CriterionForm,
    RubricForm,
    criterion_formset_class,
    criterion_initial,
)
from calibration.forms.sessions import (
    DATE,
    DrawForm,
    ItemAddForm,
    NoActionForm,
    OutcomeForm,
    ReviewerAddForm,
    SessionCreateForm,
    member_label,
    scorer_memberships,
)

__all__ = [
    "DATE",
    "NA",
    "AnswerInput",
    "BaseCriterionFormSet",
    "Choice",
    "CriterionForm",
    "DisputeFilterForm",
    "DisputeRaiseForm",
    "DisputeResolveForm",
    "DrawForm",
    "EvaluationFilterForm",
    "EvaluationForm",
    "FilterForm",
    "InputSection",
    "ItemAddForm",
    "NoActionForm",
    "OutcomeFilterForm",
    "OutcomeForm",
    "PartnerSettingsForm",
    "ReviewerAddForm",
    "RubricForm",
    "ScoringItem",
    "SessionCreateForm",
    "SessionFilterForm",
    "answer_fields",
    "answer_input",
    "answer_value",
    "criterion_formset_class",
    "criterion_initial",
    "member_label",
    "parse_value",
    "posted_answers",
    "proposal_choices",
    "scale_choices",
    "scorer_memberships",
    "sections",
]
