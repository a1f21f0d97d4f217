"""One error type for broken business rules, shown to people and to API clients alike."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a rule: the message says which, in words a user understands.

    HTML views show it as a form or page error; the API turns it into a 400 with `code`.
    """

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
