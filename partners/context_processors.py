from __future__ import annotations

from typing import Any

from django.http import HttpRequest

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
