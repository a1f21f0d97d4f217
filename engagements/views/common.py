"""What the selection pages share: who may see them (every buyer role; selections are
buyer-only), who may change them, and where the comparison is."""

from __future__ import annotations

from django.urls import reverse

from core.scoping import Viewer
from partners.mixins import ViewerRequiredMixin
from partners.models import BUYER_ROLES, Role


class BuyerMixin(ViewerRequiredMixin):
    """Every buyer role; partner-side users are refused (selections are buyer-only)."""

    allowed_roles = BUYER_ROLES


def may_edit(viewer: Viewer) -> bool:
    """A program manager signed in as themselves or with a token that may write."""
    return viewer.role == Role.PROGRAM_MANAGER and not viewer.read_only


def comparison_url(selection_id: int, anchor: str = "") -> str:
    url = reverse("engagements:selection-detail", args=[selection_id])
    return f"{url}#{anchor}" if anchor else url
