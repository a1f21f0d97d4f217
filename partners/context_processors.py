from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from partners.navigation import ShownGroup, navigation
from partners.scoping import memberships_of


def membership(request: HttpRequest) -> dict[str, Any]:
    """The current viewer and, for the account switcher, the user's other memberships."""
    viewer = getattr(request, "viewer", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"viewer": None}

    def others() -> list[Any]:
        return [m for m in memberships_of(user) if viewer and m.account_id != viewer.account_id]

    return {"viewer": viewer, "other_memberships": others}


def main_navigation(request: HttpRequest) -> dict[str, Any]:
    """The main navigation's groups of links for the current viewer (`partners.navigation`),
    built only when a template shows them."""
    viewer = getattr(request, "viewer", None)

    def groups() -> list[ShownGroup]:
        return navigation(viewer, request.path) if viewer else []

    return {"navigation": groups}
