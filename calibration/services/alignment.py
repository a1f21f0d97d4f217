"""A session's alignment (docs/domain.md, "Calibration"), computed from every reviewer's sheets
at the reveal and again after each consensus, and stored on the session. Reads here ignore
the blind rule on purpose: they compute, never display, and only once scores are revealed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from calibration import domain
from calibration.models import (
    CalibrationSession,
    ConsensusScore,
    Score,
    SessionItem,
    SessionReviewer,
    Side,
)
from calibration.signals import alignment_changed
from core import clock


@dataclass(frozen=True)
class SessionData:
    """A session's sheets in the domain's terms (read without the blind rule: only for
    computing alignment after the reveal, never for display)."""

    criteria: list[domain.Criterion]
    items: list[SessionItem]
    sheets: dict[tuple[int, int], dict[str, domain.Answer]]  # (item, reviewer) → answers
    sides: dict[int, str]  # reviewer → side
    consensus: dict[int, dict[str, domain.Answer]]  # item → answers


def session_data(session: CalibrationSession) -> SessionData:
    criteria = list(session.version.criteria.all())
    items = list(session.items.all())
    sheets: dict[tuple[int, int], dict[str, domain.Answer]] = {}
    for score in Score.objects.filter(item__session=session):
        sheets.setdefault((score.item_id, score.reviewer_id), {})[str(score.criterion_id)] = (
            domain.Answer(score.value)
        )
    sides = dict(session.reviewers.values_list("pk", "side"))
    consensus: dict[int, dict[str, domain.Answer]] = {}
    for c in ConsensusScore.objects.filter(item__session=session):
        consensus.setdefault(c.item_id, {})[str(c.criterion_id)] = domain.Answer(c.value)
    return SessionData([c.spec for c in criteria], items, sheets, sides, consensus)


def _complete(data: SessionData, sheet: Mapping[str, domain.Answer]) -> bool:
    return all(c.key in sheet for c in data.criteria)


def side_sheets(data: SessionData, item: SessionItem, side: str) -> list[dict[str, domain.Answer]]:
    return [
        sheet
        for (item_id, reviewer), sheet in data.sheets.items()
        if item_id == item.pk and data.sides.get(reviewer) == side and _complete(data, sheet)
    ]


def compute_alignment(data: SessionData) -> domain.SessionAlignment:
    pairs = [
        (side_sheets(data, item, Side.BUYER), side_sheets(data, item, Side.PARTNER))
        for item in data.items
    ]
    reviewers = sorted(data.sides)
    matrix = [[data.sheets.get((item.pk, r)) for item in data.items] for r in reviewers]
    return domain.session_alignment(data.criteria, pairs, matrix)


def _vs_consensus(data: SessionData, side: str) -> Decimal | None:
    pairs = [
        (side_sheets(data, item, side), [data.consensus[item.pk]])
        for item in data.items
        if item.pk in data.consensus and _complete(data, data.consensus[item.pk])
    ]
    if not pairs:
        return None
    return domain.session_alignment(data.criteria, pairs).agreement


OTHER_SIDE = {Side.BUYER: Side.PARTNER, Side.PARTNER: Side.BUYER}


def reviewer_alignments(data: SessionData) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """Each reviewer's own complete sheets against the other side's on the same
    interactions: reviewer → (agreement, bias)."""
    result = {}
    for reviewer, side in data.sides.items():
        pairs = []
        for item in data.items:
            own = data.sheets.get((item.pk, reviewer))
            others = side_sheets(data, item, OTHER_SIDE[Side(side)])
            if own is not None and _complete(data, own) and others:
                pairs.append((own, others))
        result[reviewer] = domain.reviewer_alignment(data.criteria, pairs)
    return result


def alignment_update(session: CalibrationSession) -> None:
    data = session_data(session)
    result = compute_alignment(data)
    reviewers = list(session.reviewers.all())
    figures = reviewer_alignments(data)
    for reviewer in reviewers:
        reviewer.agreement, reviewer.bias = figures.get(reviewer.pk, (None, None))
    SessionReviewer.objects.bulk_update(reviewers, ["agreement", "bias"])
    session.agreement = result.agreement
    session.bias = result.bias
    session.alpha = result.alpha
    session.beyond_tolerance = result.beyond_tolerance
    session.buyer_vs_consensus = _vs_consensus(data, Side.BUYER)
    session.partner_vs_consensus = _vs_consensus(data, Side.PARTNER)
    session.save(
        update_fields=["agreement", "bias", "alpha", "beyond_tolerance", "buyer_vs_consensus",
                       "partner_vs_consensus"]
    )  # fmt: skip
    if session.revealed_at is not None:
        alignment_changed.send(
            sender=CalibrationSession,
            partner_id=session.partner_id,
            day=clock.local_date(session.revealed_at),
        )
