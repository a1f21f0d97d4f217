"""The engagement's HTML forms, one module per subdomain: the scope-of-work editor and
interaction types (`scope`), partner selection (`selection`) and the engagement's stages
(`stages`).

They parse what people type; the rules are `engagements.services`', whose `DomainError` the
views show on the form. Every public name is importable from here.
"""

from __future__ import annotations

from engagements.forms.scope import (
    MAX_ROWS,
    BaselineForm,
    InteractionTypeForm,
    ItemForm,
    LineForm,
    MonthForm,
    MonthFormSet,
    MonthStartField,
    RowFormSet,
    ScopeForm,
    ScopeForms,
    blank_input,
    missing_standard,
    typical_mix,
)
from engagements.forms.selection import (
    SCORE_CHOICES,
    SELECTION_FIELDS,
    CandidateForm,
    RedFlagForm,
    ScoreSheetForm,
    SelectionForm,
    SheetRow,
    weight_field_name,
)
from engagements.forms.stages import (
    GATE_MONTHS_DEFAULT,
    GATE_MONTHS_MAX,
    THRESHOLD_DEFAULT,
    GateForm,
    StageForm,
)

__all__ = [
    "GATE_MONTHS_DEFAULT",
    "GATE_MONTHS_MAX",
    "MAX_ROWS",
    "SCORE_CHOICES",
    "SELECTION_FIELDS",
    "THRESHOLD_DEFAULT",
    "BaselineForm",
    "CandidateForm",
    "GateForm",
    "InteractionTypeForm",
    "ItemForm",
    "LineForm",
    "MonthForm",
    "MonthFormSet",
    "MonthStartField",
    "RedFlagForm",
    "RowFormSet",
    "ScopeForm",
    "ScopeForms",
    "ScoreSheetForm",
    "SelectionForm",
    "SheetRow",
    "StageForm",
    "blank_input",
    "missing_standard",
    "typical_mix",
    "weight_field_name",
]
