"""The main navigation, grouped by job, offers each role exactly the pages it may open."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from partners.navigation import NAVIGATION, page_roles

ROLES = ["buyer_pm", "buyer_reviewer", "buyer_exec", "partner_lead", "partner_viewer"]


class _MainNav(HTMLParser):
    """The main navigation's groups: {title: [(label, href)]} in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: dict[str, list[tuple[str, str]]] = {}
        self.depth = 0  # inside <nav aria-label="Main">
        self.titles: dict[str, str] = {}  # id -> group title
        self.title_id: str | None = None
        self.group: str | None = None
        self.href: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav" and a.get("aria-label") == "Main":
            self.depth = 1
        elif self.depth and tag == "nav":
            self.depth += 1
        if not self.depth:
            return
        if tag == "span" and "navgroup-title" in (a.get("class") or ""):
            self.title_id, self.text = a.get("id"), ""
        elif tag == "ul" and a.get("aria-labelledby"):
            self.group = self.titles[a["aria-labelledby"] or ""]
            self.groups[self.group] = []
        elif tag == "a":
            self.href, self.text = a.get("href"), ""

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "nav":
            self.depth -= 1
        elif tag == "span" and self.title_id:
            self.titles[self.title_id] = self.text.strip()
            self.title_id = None
        elif tag == "a" and self.href is not None:
            assert self.group is not None, "every link of the main navigation is in a group"
            self.groups[self.group].append((self.text.strip(), self.href))
            self.href = None

    def handle_data(self, data: str) -> None:
        self.text += data


def main_nav(html: str) -> dict[str, list[tuple[str, str]]]:
    parser = _MainNav()
    parser.feed(html)
    return parser.groups


@pytest.mark.parametrize("persona", ROLES)
def test_every_link_in_a_roles_navigation_opens(persona, request, login):
    client = login(request.getfixturevalue(persona))
    groups = main_nav(client.get(reverse("home:home")).content.decode())
    links = [link for group in groups.values() for link in group]
    assert len(links) >= 6
    for label, href in links:
        response = client.get(href, follow=True)
        assert response.status_code == 200, (persona, label, href)


@pytest.mark.parametrize("persona", ROLES)
def test_the_navigation_leaves_out_only_pages_the_role_may_not_open(persona, request, login):
    user = request.getfixturevalue(persona)
    client = login(user)
    shown = {href for group in main_nav(client.get("/").content.decode()).values()
             for _, href in group}  # fmt: skip
    role = user.memberships.get().role
    for group in NAVIGATION:
        for link in group.links:
            url = reverse(link.url_name)
            roles = page_roles(link.url_name)
            if roles is not None and role not in roles:
                assert url not in shown
                assert client.get(url).status_code == 403, (persona, url)
            elif link.for_roles is None or role in link.for_roles:
                assert url in shown, (persona, url)


def test_links_are_grouped_by_job_and_named_for_the_viewers_side(login, buyer_pm, partner_lead):
    pm = main_nav(login(buyer_pm).get("/").content.decode())
    assert list(pm) == ["Review", "Quality", "Money", "Setup"]
    assert [label for label, _ in pm["Review"]] == ["Home", "Partners", "Scorecards", "QBR"]
    assert [label for label, _ in pm["Money"]] == ["Contracts", "Settlements", "Costs"]
    assert ("Members", reverse("partners:members")) in pm["Setup"]

    lead = main_nav(login(partner_lead).get("/").content.decode())
    assert [label for label, _ in lead["Review"]] == ["Home", "Roster", "Scorecards", "QBR actions"]
    assert [label for label, _ in lead["Money"]] == ["Contracts", "Settlements"]
    assert "Members" not in {label for label, _ in lead["Setup"]}


def test_the_qa_reviewer_is_not_offered_costs(login, buyer_reviewer):
    nav = main_nav(login(buyer_reviewer).get("/").content.decode())
    hrefs = {href for group in nav.values() for _, href in group}
    assert reverse("engagements:cost-overview") not in hrefs
    assert login(buyer_reviewer).get(reverse("engagements:cost-overview")).status_code == 403


def test_the_current_page_is_marked(login, buyer_pm):
    html = login(buyer_pm).get(reverse("sla:settlement-list")).content.decode()
    assert f'<a href="{reverse("sla:settlement-list")}" aria-current="page">Settlements</a>' in html


def test_a_skip_link_leads_to_the_main_content(login, buyer_pm):
    html = login(buyer_pm).get("/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main" tabindex="-1">' in html
    assert html.index("skip-link") < html.index('class="topbar"')
