"""Writing rubrics and their versions, and checking answers against a version's criteria
(which every scoring write, in QA evaluations and in calibration sessions, goes through)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from calibration import domain
from calibration.models import Rubric, RubricCriterion, RubricVersion
from calibration.services.roles import BUYER_SCORERS
from core.errors import DomainError
from core.scoping import Viewer, require_role
from partners.models import Channel, User
from partners.services import audit_record


@dataclass(frozen=True)
class CriterionInput:
    section: str
    name: str
    weight: Decimal
    scale: str
    na_allowed: bool = False
    critical: bool = False
    guidance: str = ""


def _check_criteria(criteria: Sequence[CriterionInput]) -> None:
    specs = []
    for i, c in enumerate(criteria):
        if c.scale not in domain.Scale._value2member_map_:
            raise DomainError(f"'{c.name}': '{c.scale}' is not a scale.", field="criteria")
        if not c.name.strip() or not c.section.strip():
            raise DomainError(f"Criterion {i + 1} needs a name and a section.", field="criteria")
        specs.append(
            domain.Criterion(str(i), c.name.strip(), c.weight, domain.Scale(c.scale),
                             c.na_allowed, c.critical)
        )  # fmt: skip
    problems = domain.rubric_problems(specs)
    if problems:
        raise DomainError(" ".join(problems), code="invalid_rubric", field="criteria")


def version_create(
    rubric: Rubric, criteria: Sequence[CriterionInput], created_by: User | None
) -> RubricVersion:
    """The rubric's next version with these criteria (checked by the caller)."""
    number = (rubric.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = RubricVersion.objects.create(rubric=rubric, number=number, created_by=created_by)
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            version=version, position=i, section=c.section.strip(), name=c.name.strip(),
            guidance=c.guidance, weight=c.weight, scale=c.scale, na_allowed=c.na_allowed,
            critical=c.critical,
        )
        for i, c in enumerate(criteria)
    )  # fmt: skip
    return version


def rubric_create(
    *, viewer: Viewer, name: str, channel: str, criteria: Sequence[CriterionInput]
) -> Rubric:
    require_role(viewer, BUYER_SCORERS, what="create rubrics")
    if channel and channel not in Channel.values:
        raise DomainError(f"'{channel}' is not a channel.", field="channel")
    if not name.strip():
        raise DomainError("Give the rubric a name.", field="name")
    if Rubric.objects.filter(account_id=viewer.account_id, name__iexact=name.strip()).exists():
        raise DomainError(f"There is already a rubric called '{name.strip()}'.", field="name")
    _check_criteria(criteria)
    with transaction.atomic():
        rubric = Rubric.objects.create(account=viewer.account, name=name.strip(), channel=channel)
        version_create(rubric, criteria, viewer.user)
        audit_record(
            account=viewer.account, actor=viewer.user, action="rubric.created",
            summary=f"Created the rubric {rubric}", rubric=rubric.pk,
        )  # fmt: skip
    return rubric


def rubric_update(
    *, viewer: Viewer, rubric: Rubric, criteria: Sequence[CriterionInput]
) -> RubricVersion:
    """New content for a rubric: the latest version is changed in place while nothing uses
    it; once a session or an evaluation uses it, the change becomes the next version."""
    require_role(viewer, BUYER_SCORERS, what="change rubrics")
    _check_criteria(criteria)
    with transaction.atomic():
        latest = rubric.versions.select_for_update().order_by("-number").first()
        if latest is not None and not latest.in_use:
            latest.criteria.all().delete()
            latest.delete()
        version = version_create(rubric, criteria, viewer.user)
        audit_record(
            account=viewer.account, actor=viewer.user, action="rubric.updated",
            summary=f"Changed the rubric {rubric} (version {version.number})", rubric=rubric.pk,
        )  # fmt: skip
    return version


def latest_version(rubric: Rubric) -> RubricVersion:
    version = rubric.versions.order_by("-number").first()
    if version is None:
        raise DomainError(f"The rubric {rubric} has no criteria yet.", field="rubric")
    return version


def checked_answers(
    version: RubricVersion, values: Mapping[int, Decimal | None], *, complete: bool
) -> dict[int, domain.Answer]:
    """Check answers (criterion id → value, None for N/A) against the version's criteria;
    `complete`: every criterion must be answered."""
    criteria = {c.pk: c for c in version.criteria.all()}
    unknown = set(values) - set(criteria)
    if unknown:
        raise DomainError(f"Criterion {min(unknown)} is not part of {version}.", field="answers")
    result = {}
    for pk, value in values.items():
        answer = domain.Answer(value)
        try:
            domain.check_answer(criteria[pk].spec, answer)
        except domain.ScoreError as exc:
            raise DomainError(str(exc), code="invalid_score", field="answers") from None
        result[pk] = answer
    if complete:
        missing = [c.name for pk, c in criteria.items() if pk not in values]
        if missing:
            raise DomainError(f"Score every criterion: {', '.join(missing)}.", field="answers")
    return result
