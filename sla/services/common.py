"""What every SLA service shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from core.errors import DomainError
from core.scoping import Role
from partners.models import Channel

# Contracts, SLAs, volumes, exit criteria and settlements are the program managers' to change.
PROGRAM_MANAGERS = (Role.PROGRAM_MANAGER,)
CHANGE_CONTRACTS = "change contracts, SLAs and settlements"

CHANNEL_LABELS = dict(Channel.choices)


def full_clean(obj: Any, exclude: Sequence[str] = ()) -> None:
    """The model's own validation, its first problem as a `DomainError` naming the field."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(
            f"{field.replace('_', ' ')}: {' '.join(messages)}"
            if field != "__all__"
            else " ".join(messages),
            field=None if field == "__all__" else field,
        ) from None
