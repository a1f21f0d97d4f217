"""The debrief as the session page shows it, after the reveal only: per interaction and
criterion each side's answers next to the other's, the spread and the consensus, largest
disagreement first; the session's stored alignment; the disagreements still waiting.

Every score comes through `calibration.blind` (`visible_scores`, `visible_consensus`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import forms

from calibration import blind, domain
from calibration.models import CalibrationSession, RubricCriterion, SessionItem, Side
from calibration.selectors.text import plain, scale_text, signed
from calibration.services.debrief import DISAGREEMENT_BELOW, Disagreement
from core.formatting import percent_text
from core.scoping import Viewer

Sheet = dict[str, domain.Answer]


def visible_sheets(
    viewer: Viewer, session: CalibrationSession, criteria: Sequence[domain.Criterion]
) -> dict[int, dict[str, list[Sheet]]]:
    """Per interaction and side, the complete sheets (every criterion answered, N/A where
    allowed) built from `blind.visible_scores`: after the reveal everyone's, before it the
    viewer's own at most. Sheets left incomplete are not compared, as in the stored alignment
    (`services.side_sheets`)."""
    sheets: dict[tuple[int, int, str], Sheet] = {}
    rows = blind.visible_scores(viewer, session).values_list(
        "item_id", "reviewer_id", "reviewer__side", "criterion_id", "value"
    )
    for item_id, reviewer_id, side, criterion_id, value in rows:
        sheets.setdefault((item_id, reviewer_id, side), {})[str(criterion_id)] = domain.Answer(
            value
        )
    keys = {c.key for c in criteria}
    result: dict[int, dict[str, list[Sheet]]] = defaultdict(
        lambda: {Side.BUYER: [], Side.PARTNER: []}
    )
    for (item_id, _, side), sheet in sorted(sheets.items()):
        if keys <= sheet.keys():
            result[item_id][side].append(sheet)
    return result


@dataclass(frozen=True)
class SideValue:
    """One side's answers on one criterion of one interaction."""

    scale: str
    values: tuple[Decimal, ...]  # the reviewers' values on the scale, N/A left out
    na: int  # how many reviewers of the side said N/A

    @property
    def mean(self) -> Decimal | None:
        return domain.mean(self.values)

    @property
    def text(self) -> str:
        if not self.values:
            return "N/A" if self.na else "–"
        if self.scale == domain.Scale.YES_NO and len(set(self.values)) > 1:
            text = f"{sum(1 for v in self.values if v == 1)} of {len(self.values)} yes"
        else:
            text = scale_text(self.scale, self.mean)
        return f"{text} (+{self.na} N/A)" if self.na else text


@dataclass(frozen=True)
class DebriefRow:
    criterion: RubricCriterion
    buyer: SideValue
    partner: SideValue
    alignment: domain.CriterionAlignment
    consensus: Decimal | None
    has_consensus: bool

    @property
    def spread(self) -> Decimal | None:
        """Highest minus lowest value across every reviewer of both sides."""
        values = self.buyer.values + self.partner.values
        return max(values) - min(values) if values else None

    @property
    def spread_text(self) -> str:
        if (self.buyer.values and not self.partner.values and self.partner.na) or (
            self.partner.values and not self.buyer.values and self.buyer.na
        ):
            return "N/A on one side"
        return plain(self.spread)

    @property
    def agreement_text(self) -> str:
        return percent_text(self.alignment.agreement)

    @property
    def disagrees(self) -> bool:
        agreement = self.alignment.agreement
        return agreement is not None and agreement < DISAGREEMENT_BELOW

    @property
    def consensus_text(self) -> str:
        if not self.has_consensus:
            return "–"
        if self.consensus is None:
            return "N/A"
        return scale_text(self.criterion.scale, self.consensus)


@dataclass(frozen=True)
class DebriefItem:
    item: SessionItem
    rows: list[DebriefRow]  # largest disagreement first
    alignment: domain.ItemAlignment
    buyer_sheets: int
    partner_sheets: int

    @property
    def agreement_text(self) -> str:
        return percent_text(self.alignment.agreement)

    @property
    def buyer_score_text(self) -> str:
        return plain(self.alignment.buyer_score)

    @property
    def partner_score_text(self) -> str:
        return plain(self.alignment.partner_score)

    @property
    def gap_text(self) -> str:
        return signed(self.alignment.gap)

    @property
    def beyond_tolerance(self) -> bool:
        return self.alignment.beyond_tolerance


@dataclass(frozen=True)
class DebriefSection:
    """One interaction as the debrief page folds it: a one-line summary (scores, gap,
    agreement, disagreements still open and resolved), unfolded when it still needs the room's
    attention: a disagreement without an outcome item or note, or a gap beyond tolerance."""

    d: DebriefItem
    inputs: Sequence[object]  # the facilitator's consensus inputs, in the rubric's order
    open_disagreements: int  # the item's disagreements still waiting (`open_disagreements`)

    @property
    def disagreements(self) -> int:
        return sum(1 for row in self.d.rows if row.disagrees)

    @property
    def resolved_disagreements(self) -> int:
        return max(self.disagreements - self.open_disagreements, 0)

    @property
    def disagreements_text(self) -> str:
        if not self.disagreements and not self.open_disagreements:
            return "no disagreement"
        still, settled = self.open_disagreements, self.resolved_disagreements
        return f"disagreements: {still} open, {settled} resolved"

    @property
    def unfolded(self) -> bool:
        return self.open_disagreements > 0 or self.d.beyond_tolerance


def _side_value(criterion: domain.Criterion, sheets: Sequence[Sheet]) -> SideValue:
    answers = [sheet[criterion.key].value for sheet in sheets]
    return SideValue(
        criterion.scale.value,
        tuple(v for v in answers if v is not None),
        sum(v is None for v in answers),
    )


def debrief(viewer: Viewer, session: CalibrationSession) -> list[DebriefItem]:
    """After the reveal, per interaction and criterion, each side's mean next to the other's,
    the spread and the consensus; criteria and interactions ordered largest disagreement
    first (`domain.disagreements`). Before the reveal: nothing."""
    if not blind.sees_everyone(session):
        return []
    models = list(session.version.criteria.all())
    by_key = {str(c.pk): c for c in models}
    criteria = [c.spec for c in models]
    sheets = visible_sheets(viewer, session, criteria)
    consensus = {
        (item_id, criterion_id): value
        for item_id, criterion_id, value in blind.visible_consensus(viewer, session).values_list(
            "item_id", "criterion_id", "value"
        )
    }
    result = []
    for item in session.items.all():
        sides = sheets[item.pk]
        buyer, partner = sides[Side.BUYER], sides[Side.PARTNER]
        aligned = domain.align(criteria, buyer, partner)
        ordered = domain.disagreements(criteria, aligned)
        seen = {c.key for c, _ in ordered}
        # Criteria both sides called N/A compare nothing: they come last.
        ordered += [(c, row) for c, row in zip(criteria, aligned.criteria, strict=True)
                    if c.key not in seen]  # fmt: skip
        rows = [
            DebriefRow(
                criterion=by_key[c.key],
                buyer=_side_value(c, buyer),
                partner=_side_value(c, partner),
                alignment=row,
                consensus=consensus.get((item.pk, int(c.key))),
                has_consensus=(item.pk, int(c.key)) in consensus,
            )
            for c, row in ordered
        ]
        result.append(DebriefItem(item, rows, aligned, len(buyer), len(partner)))
    worst = Decimal(2)  # interactions nobody compared come last
    return sorted(
        result,
        key=lambda d: (
            d.alignment.agreement if d.alignment.agreement is not None else worst,
            d.item.position,
        ),
    )


@dataclass(frozen=True)
class AlignmentSummary:
    """The session's alignment numbers as stored at the reveal (and after each consensus)."""

    session: CalibrationSession

    @property
    def agreement(self) -> str:
        return percent_text(self.session.agreement)

    @property
    def bias(self) -> str:
        return signed(self.session.bias)

    @property
    def bias_side(self) -> str:
        """Which side the bias favours: a positive bias (partner minus buyer) means the
        partner's reviewers score its agents higher than the buyer's do."""
        bias = self.session.bias
        if bias is None:
            return "no interaction scored by both sides"
        if bias.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == 0:
            return "favours neither side"
        return "favours the partner side" if bias > 0 else "favours the buyer side"

    @property
    def alpha(self) -> str:
        if self.session.alpha is None:
            return "not defined"
        return f"{self.session.alpha.quantize(Decimal('0.001'), rounding=ROUND_HALF_UP)}"

    @property
    def buyer_vs_consensus(self) -> str:
        return percent_text(self.session.buyer_vs_consensus)

    @property
    def partner_vs_consensus(self) -> str:
        return percent_text(self.session.partner_vs_consensus)


@dataclass(frozen=True)
class PendingRow:
    """A disagreement still waiting for an outcome item or a "no action" note, with the
    facilitator's forms to give it one (None for everyone else)."""

    disagreement: Disagreement
    outcome_form: forms.Form | None
    note_form: forms.Form | None

    @property
    def agreement(self) -> str:
        return percent_text(self.disagreement.agreement)

    @property
    def bias(self) -> str:
        """Partner minus buyer, points; empty when one side said N/A."""
        bias = self.disagreement.bias
        return signed(bias) if bias is not None else ""
