"""The main navigation: Keel's pages grouped by job, each shown only to the roles that may
open it.

Who may open a page is the page's own business: each link is checked against its view's
`allowed_roles` (`partners.mixins.ViewerRequiredMixin`), read through URL resolution, so
the menu never offers a page that would answer 403 and no second list of roles is kept
here. A link may narrow its audience further (`for_roles`) where a page is open to
everyone but only some people need it in the menu.

URLs are resolved by name at request time, so this module imports no app above `partners`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from django.urls import resolve, reverse

from core.scoping import PARTNER_ROLES, Viewer


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    partner_label: str | None = None  # what a partner's people call the page
    for_roles: Collection[str] | None = None  # narrower than the view's own roles


@dataclass(frozen=True)
class Group:
    title: str
    links: tuple[Link, ...]


NAVIGATION = (
    Group(
        "Review",
        (
            Link("Home", "home:home"),
            Link("Partners", "partners:partner-list", partner_label="Roster"),
            Link("Scorecards", "kpis:scorecards"),
            Link("QBR", "home:qbr-list"),
            # Buyers reach the review's actions from the QBR itself.
            Link("QBR actions", "home:qbr-actions", for_roles=PARTNER_ROLES),
        ),
    ),
    Group(
        "Quality",
        (
            Link("Calibration", "calibration:overview"),
            Link("Remediation", "sla:remediation-board"),
        ),
    ),
    Group(
        "Money",
        (
            Link("Contracts", "sla:contract-list"),
            Link("Settlements", "sla:settlement-list"),
            Link("Costs", "engagements:cost-overview"),
        ),
    ),
    Group(
        "Setup",
        (
            Link("Imports", "kpis:import-list"),
            Link("Selection", "engagements:selection-list"),
            Link("Members", "partners:members"),
            Link("API tokens", "partners:api-tokens"),
            Link("Account", "partners:account-settings"),
            Link("Security", "partners:security"),
            Link("Activity", "partners:audit-log"),
            Link("API", "api-docs"),
        ),
    ),
)


@dataclass(frozen=True)
class ShownLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class ShownGroup:
    title: str
    slug: str
    links: tuple[ShownLink, ...]


@cache
def page_roles(url_name: str) -> frozenset[str] | None:
    """The roles the page at `url_name` lets in (its view's `allowed_roles`); None: any member."""
    match = resolve(reverse(url_name))
    roles = getattr(getattr(match.func, "view_class", None), "allowed_roles", None)
    return None if roles is None else frozenset(str(r) for r in roles)


def may_open(viewer: Viewer, link: Link) -> bool:
    roles = page_roles(link.url_name)
    if roles is not None and viewer.role not in roles:
        return False
    return link.for_roles is None or viewer.role in link.for_roles


def navigation(viewer: Viewer, path: str = "") -> list[ShownGroup]:
    """The groups of links `viewer` may open, empty groups left out; `current` marks the
    link of the page at `path`."""
    groups = []
    for group in NAVIGATION:
        links = []
        for link in group.links:
            if not may_open(viewer, link):
                continue
            url = reverse(link.url_name)
            label = link.partner_label if link.partner_label and viewer.is_partner_side else None
            links.append(ShownLink(label or link.label, url, current=url == path))
        if links:
            groups.append(ShownGroup(group.title, group.title.lower(), tuple(links)))
    return groups
