"""Band templates: the usual layouts of docs/domain.md ("SLA bands"), a starting point that
the band editor adjusts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kpis.domain import Direction, Kpi
from sla.domain.bands import Band, BandKind, bounds_text, by_value
from sla.domain.governable import governable


def _b(kind: BandKind, lower: str | None, upper: str | None, **kw: object) -> Band:
    return Band(
        kind,
        Decimal(lower) if lower is not None else None,
        Decimal(upper) if upper is not None else None,
        **kw,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    kpi: str
    bands: tuple[Band, ...]
    guardrail: bool = False

    @property
    def label(self) -> str:
        """'CSAT: bonus 88% and above, base 82% to below 88%, ...', best values first."""
        kpi = governable(self.kpi)
        ordered = by_value(self.bands)
        if kpi.direction is Direction.HIGHER_IS_BETTER:
            ordered.reverse()
        return f"{self.title}: " + ", ".join(f"{b.name} {bounds_text(b, kpi)}" for b in ordered)


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            "csat",
            "CSAT",
            Kpi.CSAT.value,
            (
                _b(BandKind.PENALTY, None, "75", credit_pct=Decimal(10), opens_remediation=True),
                _b(BandKind.REMEDIATION, "75", "82", opens_remediation=True),
                _b(BandKind.BASE, "82", "88"),
                _b(BandKind.BONUS, "88", None, bonus_pct=Decimal(5)),
            ),
        ),
        Template(
            "fcr",
            "FCR",
            Kpi.FCR.value,
            (
                _b(BandKind.PENALTY, None, "65", credit_pct=Decimal(5), opens_remediation=True),
                _b(BandKind.REMEDIATION, "65", "70", opens_remediation=True),
                _b(BandKind.BASE, "70", "85"),
                _b(BandKind.BONUS, "85", None, bonus_pct=Decimal(3)),
            ),
        ),
        Template(
            "qa",
            "QA score",
            Kpi.QA.value,
            (
                _b(BandKind.PENALTY, None, "80", credit_pct=Decimal(5), opens_remediation=True),
                _b(BandKind.REMEDIATION, "80", "85", opens_remediation=True),
                _b(BandKind.BASE, "85", None),
            ),
        ),
        Template(
            "sla",
            "SLA adherence",
            Kpi.SLA.value,
            (
                _b(BandKind.PENALTY, None, "90", credit_pct=Decimal(5), opens_remediation=True),
                _b(BandKind.REMEDIATION, "90", "95", opens_remediation=True),
                _b(BandKind.BASE, "95", None),
            ),
        ),
        Template(
            "escalation",
            "Escalation rate",
            Kpi.ESCALATION.value,
            (
                _b(BandKind.BASE, None, "10"),
                _b(BandKind.REMEDIATION, "10", "15", opens_remediation=True),
                _b(BandKind.PENALTY, "15", None, credit_pct=Decimal(5), opens_remediation=True),
            ),
        ),
        Template(
            "aht-guardrail",
            "AHT guardrail (a review, no money; set your own ceiling)",
            Kpi.AHT.value,
            (
                _b(BandKind.BASE, None, "600"),
                _b(BandKind.CUSTOM, "600", None, opens_remediation=True, label="review"),
            ),
            guardrail=True,
        ),
    )
}
