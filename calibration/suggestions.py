"""When to calibrate outside the cadence: a new interaction type goes live at a partner, or
a quality KPI of the partner falls into a remediation or penalty band.

Bands belong to `sla`, a floor above calibration: `sla` registers its quality dips here
(`register_dip_source`, from `SlaConfig.ready`), so calibration never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Exists, Max, Min, OuterRef

from calibration.models import CalibrationSession, SessionKind
from core.scoping import Viewer, scope
from kpis.models import Interaction
from partners.models import Partner

NEW_TYPE_DAYS = 28


@dataclass(frozen=True)
class Dip:
    """A quality KPI of a partner in a bad band since the start of `month`."""

    partner_id: int
    kpi: str
    month: date
    explanation: str


DipSource = Callable[[Viewer, date], Iterable[Dip]]
_dip_sources: dict[str, DipSource] = {}


def register_dip_source(name: str, source: DipSource) -> None:
    """A higher app's quality dips (ordered by month), asked for by `adhoc_suggestions`."""
    _dip_sources[name] = source


@dataclass(frozen=True)
class Suggestion:
    partner: Partner
    reason: str
    since: date


def adhoc_suggestions(viewer: Viewer, today: date) -> list[Suggestion]:
    """Reasons for an ad hoc session that no ad hoc session has answered yet (one created
    on or after the day the reason arose)."""
    partners = {p.pk: p for p in scope(Partner, viewer)}
    last_adhoc: dict[int, date] = {
        row["partner"]: row["latest"].date()
        for row in CalibrationSession.objects.filter(
            partner_id__in=partners, kind=SessionKind.AD_HOC
        )
        .values("partner")
        .annotate(latest=Max("created_at"))
        .order_by()
    }

    def answered(partner_id: int, since: date) -> bool:
        return last_adhoc.get(partner_id, date.min) >= since

    found = []
    window = datetime.combine(today - timedelta(days=NEW_TYPE_DAYS), time.min, tzinfo=UTC)
    # Only the window's contacts are grouped (index on partner, opened_at); a type counts as
    # new when the partner has no contact of it before the window.
    older = Interaction.objects.filter(
        partner_id=OuterRef("partner_id"),
        interaction_type_id=OuterRef("interaction_type_id"),
        opened_at__lt=window,
    )
    firsts = (
        Interaction.objects.filter(partner_id__in=partners, opened_at__gte=window)
        .values("partner_id", "interaction_type_id", "interaction_type__name")
        .annotate(first=Min("opened_at"), seen_before=Exists(older))
        .order_by("first")
    )
    for row in firsts:
        since = row["first"].date()
        if not row["seen_before"] and not answered(row["partner_id"], since):
            found.append(
                Suggestion(
                    partners[row["partner_id"]],
                    f"New interaction type live: {row['interaction_type__name']}",
                    since,
                )
            )
    dips = [dip for source in _dip_sources.values() for dip in source(viewer, today)]
    seen: set[tuple[int, str]] = set()
    for dip in dips:
        key = (dip.partner_id, dip.kpi)
        if key in seen or answered(dip.partner_id, dip.month) or dip.partner_id not in partners:
            continue
        seen.add(key)
        found.append(
            Suggestion(partners[dip.partner_id], f"Quality dip: {dip.explanation}", dip.month)
        )
    return found
