"""The engagement card of the partner page: the current scope, recent scope discipline,
cost per resolved contact and the current stage, read at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.scoping import Viewer, scope
from engagements import domain
from engagements.models import EngagementStage, ScopeVersion
from engagements.selectors.cost_per_resolved import CostView, costs
from engagements.selectors.scope import current_scope, recent_discipline
from partners.models import Partner


@dataclass(frozen=True)
class PartnerEngagement:
    scope: ScopeVersion | None
    discipline: domain.Discipline | None
    discipline_start: date | None
    discipline_end: date | None
    cost: CostView
    stage: EngagementStage | None


def partner_engagement(viewer: Viewer, partner: Partner, today: date) -> PartnerEngagement:
    version = current_scope(viewer, partner)
    found = recent_discipline(viewer, partner, version, today) if version else None
    return PartnerEngagement(
        version,
        found[0] if found else None,
        found[1] if found else None,
        found[2] if found else None,
        costs(viewer, partner, today, months=3),
        scope(EngagementStage, viewer)
        .filter(partner=partner)
        .order_by("-started_on", "-pk")
        .first(),
    )
