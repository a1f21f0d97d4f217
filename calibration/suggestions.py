"""When to calibrate outside the cadence: a new interaction type goes live at a partner, or
a quality KPI of the partner falls into a remediation or penalty band."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Exists, Max, Min, OuterRef

from calibration.models import CalibrationSession, SessionKind
from kpis.models import Interaction
from partners.models import Partner
from partners.scoping import Viewer, scope

NEW_TYPE_DAYS = 28
QUALITY_KPIS = ("csat", "fcr", "qa", "calibration")


@dataclass(frozen=True)
class Suggestion:
    partner: Partner
    reason: str
    since: date


def adhoc_suggestions(viewer: Viewer, today: date) -> list[Suggestion]:
    """Reasons for an ad hoc session that no ad hoc session has answered yet (one created
    on or after the day the reason arose)."""
    from sla.models import BandStatus

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
    statuses = (
        scope(BandStatus, viewer)
        .filter(
            month__gte=(today.replace(day=1) - timedelta(days=1)).replace(day=1),
            kpi__in=QUALITY_KPIS,
            decision="decided",
            band_kind__in=("remediation", "penalty"),
        )
        .order_by("month", "partner_id", "kpi", "channel")
    )
    seen: set[tuple[int, str]] = set()
    for status in statuses:
        key = (status.partner_id, status.kpi)
        if key in seen or answered(status.partner_id, status.month):
            continue
        seen.add(key)
        found.append(
            Suggestion(
                partners[status.partner_id],
                f"Quality dip: {status.explanation}",
                status.month,
            )
        )
    return found
