"""Reads for tenancy and rosters. Every selector starts from `core.scoping.scope`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from core.scoping import Viewer, scope
from partners.domain import Attrition, attrition
from partners.models import (
    Account,
    Agent,
    ApiToken,
    AuditEvent,
    Invitation,
    InvitationQuerySet,
    Membership,
    Partner,
    Team,
)

TRAILING_DAYS = 365


def _active_on(day: date | F, prefix: str = "") -> Q:
    """Agents employed on `day`: hired on or before it and not yet gone."""
    return Q(**{f"{prefix}hire_date__lte": day}) & (
        Q(**{f"{prefix}leaving_date__isnull": True}) | Q(**{f"{prefix}leaving_date__gt": day})
    )


@dataclass(frozen=True)
class PartnerRoster:
    partner: Partner
    headcount: int
    hires: int
    attrition: Attrition
    window_start: date
    team_count: int
    months_live: int | None


def partner_rosters(
    *, viewer: Viewer, today: date, partner: Partner | None = None
) -> list[PartnerRoster]:
    """Each visible partner with its headcount and its trailing-year attrition, in one query.

    The window is the last 365 days, or the time since go-live when that is shorter, so that
    a partner live for six months is not judged on months before it had agents.
    """
    year_ago = today - timedelta(days=TRAILING_DAYS)
    team_count = (
        Team.objects.filter(partner=OuterRef("pk"))
        .values("partner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    partners = scope(Partner, viewer)
    if partner is not None:
        partners = partners.filter(pk=partner.pk)
    rows = (
        partners.annotate(
            window_start=Greatest(Value(year_ago), Coalesce("go_live_date", Value(year_ago)))
        )
        .annotate(
            headcount=Count("agents", filter=_active_on(today, "agents__")),
            headcount_start=Count("agents", filter=_active_on(F("window_start"), "agents__")),
            leavers=Count(
                "agents",
                filter=Q(
                    agents__leaving_date__gt=F("window_start"), agents__leaving_date__lte=today
                ),
            ),
            hires=Count(
                "agents",
                filter=Q(agents__hire_date__gt=F("window_start"), agents__hire_date__lte=today),
            ),
            team_count=Coalesce(Subquery(team_count, output_field=IntegerField()), 0),
        )
        .order_by("name")
    )
    rosters = []
    for row in rows:
        # SQLite hands back the Greatest() of two dates as text.
        window_start = (
            row.window_start
            if isinstance(row.window_start, date)
            else date.fromisoformat(row.window_start)
        )
        period_days = max((today - window_start).days, 1)
        rosters.append(
            PartnerRoster(
                partner=row,
                headcount=row.headcount,
                hires=row.hires,
                attrition=attrition(
                    leavers=row.leavers,
                    headcount_start=row.headcount_start,
                    headcount_end=row.headcount,
                    period_days=period_days,
                ),
                window_start=window_start,
                team_count=row.team_count,
                months_live=row.months_live(today),
            )
        )
    return rosters


def team_headcounts(
    *, viewer: Viewer, today: date, partner: Partner | None = None
) -> QuerySet[Team]:
    """Teams with their channel and current headcount, for one partner or all visible ones."""
    teams = scope(Team, viewer).select_related("partner")
    if partner is not None:
        teams = teams.filter(partner=partner)
    return teams.annotate(headcount=Count("agents", filter=_active_on(today, "agents__"))).order_by(
        "partner__name", "channel", "name"
    )


def channel_headcounts(*, viewer: Viewer, today: date) -> dict[int, dict[str, int]]:
    """{partner id: {channel: active agents}} from the teams' channels, in one query."""
    rows = (
        scope(Team, viewer)
        .values("partner_id", "channel")
        .annotate(headcount=Count("agents", filter=_active_on(today, "agents__")))
        .order_by("partner_id", "channel")
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["partner_id"], {})[row["channel"]] = row["headcount"]
    return result


def agents_list(
    *,
    viewer: Viewer,
    today: date,
    partner: Partner | None = None,
    team_id: int | None = None,
    channel: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> QuerySet[Agent]:
    agents = scope(Agent, viewer).select_related("team", "partner")
    if partner is not None:
        agents = agents.filter(partner=partner)
    if team_id is not None:
        agents = agents.filter(team_id=team_id)
    if channel:
        agents = agents.filter(team__channel=channel)
    if status == "active":
        agents = agents.filter(_active_on(today))
    elif status == "left":
        agents = agents.filter(leaving_date__lte=today)
    if search:
        agents = agents.filter(Q(name__icontains=search) | Q(external_id__icontains=search))
    return agents.order_by("name", "pk")


def roster_changes(*, viewer: Viewer, partner: Partner, today: date, days: int = 90) -> dict:
    since = today - timedelta(days=days)
    agents = scope(Agent, viewer).filter(partner=partner).select_related("team")
    return {
        "days": days,
        "joiners": agents.filter(hire_date__gt=since, hire_date__lte=today).order_by("-hire_date"),
        "leavers": agents.filter(leaving_date__gt=since, leaving_date__lte=today).order_by(
            "-leaving_date"
        ),
    }


def partner_overview(*, viewer: Viewer, partner: Partner, today: date) -> dict[str, object]:
    """What a partner page shows: its roster figures, teams and recent roster changes."""
    (roster,) = partner_rosters(viewer=viewer, today=today, partner=partner)
    return {
        "roster": roster,
        "teams": team_headcounts(viewer=viewer, today=today, partner=partner),
        "changes": roster_changes(viewer=viewer, partner=partner, today=today),
    }


def members_list(*, viewer: Viewer) -> QuerySet[Membership]:
    return scope(Membership, viewer).select_related("user", "partner").order_by("user__email")


def invitations_list(*, viewer: Viewer) -> InvitationQuerySet:
    invitations = scope(Invitation, viewer).select_related("partner", "invited_by")
    # `scope` keeps the model's own queryset class, which the types cannot say.
    return cast(InvitationQuerySet, invitations.order_by("-created_at"))


def api_tokens_list(*, viewer: Viewer) -> QuerySet[ApiToken]:
    return (
        scope(ApiToken, viewer)
        .select_related("partner", "created_by")
        .order_by("revoked", "-created")
    )


def audit_events_list(*, viewer: Viewer) -> QuerySet[AuditEvent]:
    return scope(AuditEvent, viewer).select_related("actor")


def role_counts(*, viewer: Viewer) -> dict[str, int]:
    rows = scope(Membership, viewer).values("role").annotate(n=Count("pk")).order_by()
    return {row["role"]: row["n"] for row in rows}


def partner_by_key(account: Account, key: str) -> Partner | None:
    """A partner of the account by id or by name (any case), as management commands take it."""
    partners = Partner.objects.filter(account=account)
    by_id = partners.filter(pk=key).first() if key.isdigit() else None
    return by_id or partners.filter(name__iexact=key).first()
