"""Query filters of the engagement endpoints. Every reference filter offers only the caller's
own objects (`scoped_choices`), so that another tenant's id is refused like an unknown one."""

from __future__ import annotations

import django_filters

from engagements.models import Candidate, CandidateScore, EngagementStage, ScopeVersion, Selection
from partners.api.scoped import scoped_choices
from partners.models import Partner


class ScopeFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))
    selection = django_filters.ModelChoiceFilter(queryset=scoped_choices(Selection))

    class Meta:
        model = ScopeVersion
        fields = ["partner", "selection", "version"]


class CandidateFilter(django_filters.FilterSet):
    selection = django_filters.ModelChoiceFilter(queryset=scoped_choices(Selection))
    chosen = django_filters.BooleanFilter(
        field_name="partner", lookup_expr="isnull", exclude=True, label="Chosen (now a partner)"
    )

    class Meta:
        model = Candidate
        fields = ["selection", "delivery_model", "chosen"]


class CandidateScoreFilter(django_filters.FilterSet):
    candidate = django_filters.ModelChoiceFilter(queryset=scoped_choices(Candidate))
    selection = django_filters.ModelChoiceFilter(
        field_name="candidate__selection", queryset=scoped_choices(Selection)
    )
    criterion = django_filters.CharFilter(field_name="criterion__key", label="A criterion key")
    # The list is already scoped: filtering it by anyone's email can only narrow it.
    evaluator = django_filters.CharFilter(
        field_name="evaluator__email", lookup_expr="iexact", label="The evaluator's email"
    )

    class Meta:
        model = CandidateScore
        fields = ["candidate", "selection", "criterion", "evaluator", "score"]


class StageFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=scoped_choices(Partner))

    class Meta:
        model = EngagementStage
        fields = ["partner", "kind", "expansion"]
