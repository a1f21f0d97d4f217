"""Reads for remediation plans: the board's columns (open, overdue, closed recently), one
plan and its KPI's history. Each costs one query however many plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet

from core import clock
from core.scoping import Viewer, get_scoped_or_404, scope
from partners.models import Partner
from sla.models import BandStatus, PlanStatus, RemediationPlan

# The columns of the remediation board.
OPEN, OVERDUE, CLOSED = "open", "overdue", "closed"
BOARD_COLUMNS = [
    (OPEN, "Open"),
    (OVERDUE, "Overdue"),
    (CLOSED, "Closed recently"),
]
CLOSED_RECENTLY_DAYS = 60


def _plans(viewer: Viewer) -> QuerySet[RemediationPlan]:
    return scope(RemediationPlan, viewer).select_related(
        "partner", "buyer_owner", "partner_owner", "governed__sla"
    )


@dataclass(frozen=True)
class BoardColumn:
    key: str
    label: str
    plans: list[RemediationPlan]


@dataclass(frozen=True)
class PartnerPlans:
    """One partner's plans on the board: overdue and open ones (soonest due first) to read,
    the closed ones (latest first) to fold away."""

    partner: Partner
    overdue: list[RemediationPlan]
    open: list[RemediationPlan]
    closed: list[RemediationPlan]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.open) + len(self.closed)


@dataclass(frozen=True)
class PlanBoard:
    columns: list[BoardColumn]
    today: date

    @property
    def count(self) -> int:
        return sum(len(c.plans) for c in self.columns)

    @property
    def shown(self) -> set[str]:
        """The columns the board shows (all of them unless filtered by status)."""
        return {c.key for c in self.columns}

    def by_partner(self) -> list[PartnerPlans]:
        """The board's plans grouped by partner, partners by name; no query."""
        groups: dict[int, dict[str, list[RemediationPlan]]] = {}
        partners: dict[int, Partner] = {}
        for column in self.columns:
            for plan in column.plans:
                partners.setdefault(plan.partner_id, plan.partner)
                lists = groups.setdefault(plan.partner_id, {key: [] for key, _ in BOARD_COLUMNS})
                lists[column.key].append(plan)
        return [
            PartnerPlans(partners[pk], lists[OVERDUE], lists[OPEN], lists[CLOSED])
            for pk, lists in sorted(
                groups.items(), key=lambda g: (partners[g[0]].name.casefold(), g[0])
            )
        ]


def plans_board(
    viewer: Viewer,
    status: str | None = None,
    partner: Partner | None = None,
    *,
    today: date | None = None,
) -> PlanBoard:
    """Remediation plans as columns: open, overdue (open past their due date) and closed or
    withdrawn in the last 60 days; `status` shows one column only. One query."""
    today = today or clock.today(viewer.account)
    since = clock.now() - timedelta(days=CLOSED_RECENTLY_DAYS)
    ended = (PlanStatus.CLOSED, PlanStatus.WITHDRAWN)
    plans = _plans(viewer).filter(
        Q(status=PlanStatus.OPEN) | Q(status__in=ended, closed_at__gte=since)
    )
    if partner is not None:
        plans = plans.filter(partner=partner)
    if status == CLOSED:
        plans = plans.filter(status__in=ended)
    elif status in (OPEN, OVERDUE):
        plans = plans.filter(status=PlanStatus.OPEN)
    grouped: dict[str, list[RemediationPlan]] = {key: [] for key, _ in BOARD_COLUMNS}
    for plan in plans.order_by("due_date", "partner__name", "pk"):
        if plan.status in ended:
            grouped[CLOSED].append(plan)
        elif plan.due_date < today:
            grouped[OVERDUE].append(plan)
        else:
            grouped[OPEN].append(plan)
    grouped[CLOSED].sort(key=lambda p: p.closed_at or since, reverse=True)
    wanted = status if status in grouped else None
    return PlanBoard(
        [
            BoardColumn(key, label, grouped[key])
            for key, label in BOARD_COLUMNS
            if wanted in (None, key)
        ],
        today,
    )


def plan_detail(viewer: Viewer, pk: int) -> RemediationPlan:
    return get_scoped_or_404(_plans(viewer), viewer, pk=pk)


def plan_history(viewer: Viewer, plan: RemediationPlan, months: int = 6) -> list[BandStatus]:
    """The plan's KPI in the months since it opened (at most `months`), newest first."""
    return list(
        scope(BandStatus, viewer)
        .filter(governed_id=plan.governed_id, month__gte=plan.opened_month)
        .select_related("governed")
        .order_by("-month")[:months]
    )


def open_plans_count(viewer: Viewer, partner: Partner) -> int:
    return scope(RemediationPlan, viewer).filter(partner=partner, status=PlanStatus.OPEN).count()
