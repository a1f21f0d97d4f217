"""What the calibration API views share: who may write, and who is calling."""

from __future__ import annotations

from rest_framework.request import Request

from calibration import services
from core.scoping import Viewer
from partners.models import Role

PROGRAM_MANAGERS = frozenset({Role.PROGRAM_MANAGER})
BUYER_SCORERS = frozenset(services.BUYER_SCORERS)
SCORERS = frozenset(services.SCORERS)
PARTNER_QA_LEADS = frozenset({Role.PARTNER_QA_LEAD})
EVERY_ROLE = frozenset(Role)


def caller(request: Request) -> Viewer:
    """The viewer behind an API request (set by the authentication of every API view)."""
    return request.viewer  # type: ignore[attr-defined,no-any-return]
