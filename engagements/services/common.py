"""What the engagement's services share: the checks every write makes (a model's own
validation, a currency code) and the audit record it leaves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from core.errors import DomainError
from core.scoping import Viewer
from partners.models import Channel
from partners.services import audit_record
from sla.currency import is_currency

CHANNELS = set(Channel.values)
EVIDENCE_URL = URLValidator(schemes=["http", "https"])


def full_clean(obj: Any, exclude: Sequence[str] = ()) -> None:
    """A model's own validation, its first problem raised as a `DomainError` on its field."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(
            f"{name.replace('_', ' ')}: {' '.join(messages)}" if name != "__all__"
            else " ".join(messages),
            field=None if name == "__all__" else name,
        ) from None  # fmt: skip


def check_currency(code: str) -> str:
    """The code in capitals, refused unless it is an ISO 4217 currency."""
    code = (code or "").upper()
    if not is_currency(code):
        raise DomainError(
            f"'{code}' is not an ISO 4217 currency code (USD, EUR, GBP, ...).", field="currency"
        )
    return code


def audit(viewer: Viewer, action: str, summary: str, **details: Any) -> None:
    """Record in the viewer's account who did what."""
    audit_record(
        account=viewer.account, actor=viewer.user, action=action, summary=summary, **details
    )
