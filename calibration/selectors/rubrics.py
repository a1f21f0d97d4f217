"""Reads of rubrics: their versions with how much each is used, and a version's criteria by
section."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from calibration.models import CalibrationSession, QaEvaluation, RubricCriterion, RubricVersion
from core.scoping import Viewer, scope


def _count(queryset: QuerySet[Any], outer: str = "pk") -> Coalesce:
    """A correlated COUNT of `queryset` rows whose `version` is the outer row (one query for
    a whole list, without multiplying joins)."""
    counted = (
        queryset.filter(version=OuterRef(outer))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def rubric_versions(viewer: Viewer) -> QuerySet[RubricVersion]:
    """Versions with their criteria count and their use: sessions and evaluations the viewer
    may see (a partner user counts its own partner's only); `used` counts everyone's, since
    it decides whether an edit makes a new version."""
    return RubricVersion.objects.select_related("created_by").annotate(
        criteria_count=_count(RubricCriterion.objects.all()),
        session_count=_count(scope(CalibrationSession, viewer)),
        evaluation_count=_count(scope(QaEvaluation, viewer)),
        used=_count(CalibrationSession.objects.all()) + _count(QaEvaluation.objects.all()),
    )


def version_in_use(version: RubricVersion | None) -> bool:
    """Whether a version from `rubric_versions` is in use (by anyone)."""
    return bool(version is not None and getattr(version, "used", 0))


@dataclass(frozen=True)
class RubricSection:
    name: str
    criteria: list[RubricCriterion]

    @property
    def points(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal(0))


def sections_of(criteria: list[RubricCriterion]) -> list[RubricSection]:
    """Criteria grouped by section, sections in the order of their first criterion."""
    grouped: dict[str, list[RubricCriterion]] = {}
    for c in criteria:
        grouped.setdefault(c.section, []).append(c)
    return [RubricSection(name, rows) for name, rows in grouped.items()]
