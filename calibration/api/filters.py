"""Query filters of the calibration endpoints. Every reference filter offers only the caller's
own objects (`scoped_choices`), so that another tenant's id is refused like an unknown one.

Scores have no filter set: they are read one session at a time through `calibration.blind`
(see `ScoreViewSet`), never filtered out of the whole table.
"""

from __future__ import annotations

import django_filters

from calibration.models import (
    CalibrationSession,
    Dispute,
    OutcomeItem,
    QaEvaluation,
    Rubric,
    SessionItem,
)
from partners.api.scoped import scoped_choices
from partners.models import Agent, Partner


class RubricFilter(django_filters.FilterSet):
    class Meta:
        model = Rubric
        fields = ["channel"]


class CalibrationSessionFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = CalibrationSession
        fields = ["partner", "status", "kind", "due_date"]


class OutcomeItemFilter(django_filters.FilterSet):
    session = django_filters.ModelChoiceFilter(queryset=scoped_choices(CalibrationSession))
    partner = django_filters.ModelChoiceFilter(
        field_name="session__partner", queryset=scoped_choices(Partner)
    )
    item = django_filters.ModelChoiceFilter(queryset=scoped_choices(SessionItem))
    # The list is already scoped: filtering it by anyone's id can only narrow it.
    owner = django_filters.NumberFilter(field_name="owner_id", label="The owner's user id")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = OutcomeItem
        fields = ["session", "partner", "item", "status", "kind", "owner"]


class QaEvaluationFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    agent = django_filters.ModelChoiceFilter(queryset=scoped_choices(Agent))
    rubric = django_filters.ModelChoiceFilter(
        field_name="version__rubric", queryset=scoped_choices(Rubric)
    )
    scored_after = django_filters.DateFilter(
        field_name="scored_at", lookup_expr="date__gte", label="Scored on or after this day"
    )
    scored_before = django_filters.DateFilter(
        field_name="scored_at", lookup_expr="date__lte", label="Scored on or before this day"
    )

    class Meta:
        model = QaEvaluation
        fields = ["partner", "agent", "rubric", "side", "channel", "external_id"]


class DisputeFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(
        field_name="evaluation__partner", queryset=scoped_choices(Partner)
    )
    evaluation = django_filters.ModelChoiceFilter(queryset=scoped_choices(QaEvaluation))

    class Meta:
        model = Dispute
        fields = ["partner", "evaluation", "status"]
