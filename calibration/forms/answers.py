"""The answer inputs of the scoring and consensus forms, which the pages write by hand (radio
buttons with keyboard shortcuts for static/js/scoring.js, a number on 0-100): what each input
shows, and how what it posts is read back. The scale itself is the service's to check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from calibration.models import RubricCriterion, Scale, SessionItem
from calibration.selectors import plain
from core.errors import DomainError

NA = "na"  # the value of an N/A choice in every scoring, consensus and evaluation form


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    key: str  # the keyboard shortcut scoring.js gives it


@dataclass
class AnswerInput:
    """One criterion as a set of radio buttons (yes / no, 1-5) or a number input (0-100),
    with N/A where the rubric allows it."""

    criterion: RubricCriterion
    name: str  # the form field's name
    value: str  # "" unanswered, "na" N/A, else the value as people read it
    choices: list[Choice] = field(default_factory=list)

    @property
    def number(self) -> bool:
        return self.criterion.scale == Scale.ZERO_TO_HUNDRED

    @property
    def answered(self) -> bool:
        return self.value != ""

    @property
    def number_value(self) -> str:
        return "" if self.value in ("", NA) else self.value


def answer_input(
    criterion: RubricCriterion, name: str, value: Decimal | None, known: bool
) -> AnswerInput:
    """The input of one criterion; `known` tells an unanswered criterion from an N/A one."""
    choices = []
    if criterion.scale == Scale.YES_NO:
        choices = [Choice("1", "Yes", "1"), Choice("0", "No", "0")]
    elif criterion.scale == Scale.ONE_TO_FIVE:
        choices = [Choice(str(n), str(n), str(n)) for n in range(1, 6)]
    if criterion.na_allowed:
        choices.append(Choice(NA, "N/A", "a"))
    text = "" if not known else (NA if value is None else plain(value))
    return AnswerInput(criterion, name, text, choices)


@dataclass
class InputSection:
    name: str
    inputs: list[AnswerInput]


def sections(inputs: list[AnswerInput]) -> list[InputSection]:
    """Criteria grouped by their section, in rubric order."""
    result: list[InputSection] = []
    for one in inputs:
        if not result or result[-1].name != one.criterion.section:
            result.append(InputSection(one.criterion.section, []))
        result[-1].inputs.append(one)
    return result


@dataclass
class ScoringItem:
    """One interaction of the scoring page, with the reviewer's inputs on it."""

    item: SessionItem
    number: int
    sections: list[InputSection]

    @property
    def answered(self) -> int:
        return sum(1 for s in self.sections for i in s.inputs if i.answered)

    @property
    def needed(self) -> int:
        return sum(len(s.inputs) for s in self.sections)


def parse_value(criterion: RubricCriterion, raw: Any) -> Decimal | None:
    """One answer as typed or sent: None or "na" is N/A; otherwise a number. The scale
    itself is checked by the service."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in (NA, "n/a")):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise DomainError(f"'{criterion.name}': {raw!r} is not a score.", field="answers")
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(
            f"'{criterion.name}': '{raw}' is not a number.", field="answers"
        ) from None
    if not value.is_finite():
        raise DomainError(f"'{criterion.name}': '{raw}' is not a number.", field="answers")
    return value


def posted_answers(
    data: Mapping[str, Any], criteria: Iterable[RubricCriterion], prefix: str = ""
) -> dict[int, Decimal | None]:
    """Answers of a plain form POST: field `<prefix>c<criterion id>`; a criterion left empty
    is left out (not answered yet), "na" is N/A. A number input and an N/A checkbox may share
    the name: N/A wins."""
    result: dict[int, Decimal | None] = {}
    for criterion in criteria:
        name = f"{prefix}c{criterion.pk}"
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v not in (None, "")]
        if not values:
            continue
        result[criterion.pk] = None if NA in values else parse_value(criterion, values[0])
    return result
