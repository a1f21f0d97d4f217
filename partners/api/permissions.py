from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from partners.models import Role
from partners.scoping import viewer_for_request


class HasViewer(BasePermission):
    """A member of an account (session) or an account's API token; writes need a write role.

    Sets `request.viewer`, from which every API view scopes its querysets. A view allows
    writes by listing the roles that may write in `write_roles`.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated(
                "Sign in, or send an API token: 'Authorization: Bearer <token>'."
            )
        viewer = viewer_for_request(request)
        if viewer is None:
            raise PermissionDenied("You are not a member of any account.")
        request.viewer = viewer  # type: ignore[attr-defined]
        if request.method in SAFE_METHODS:
            return True
        if viewer.read_only:
            raise PermissionDenied("This API token is read-only.")
        write_roles: Collection[str] = getattr(view, "write_roles", frozenset())
        if viewer.role not in write_roles:
            allowed = ", ".join(sorted(Role(r).label for r in write_roles)) or "nobody"
            raise PermissionDenied(
                f"Your role ({Role(viewer.role).label}) cannot change this; allowed: {allowed}."
            )
        return True
