"""CSV downloads: streamed row by row, and safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets: a partner's agent named `=HYPERLINK(...)` would run
in the buyer's spreadsheet. Such a cell is written with a leading apostrophe, which the
spreadsheet shows as text (the OWASP advice on CSV injection). Numbers are written as they
are: a negative number is data, not a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should read it: text that would start a formula gets a
    leading apostrophe; numbers, dates and empty cells pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose `write` returns what it is given: the csv writer's line."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A CSV download, streamed: rows are written as they come, never held in memory."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
