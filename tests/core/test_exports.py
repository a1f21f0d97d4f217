"""CSV downloads open safely in a spreadsheet: what would be a formula is written as text."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from core.exports import csv_response, safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+1", "'=1+1"), ("+44 20 7946", "'+44 20 7946"), ("-cmd", "'-cmd"),
     ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Harbor", "Harbor"),
     ("", ""), (None, ""),
     (Decimal("-2.50"), Decimal("-2.50")), (-3, -3), (date(2026, 10, 1), "2026-10-01")],
)  # fmt: skip
def test_a_cell_that_starts_a_formula_becomes_text(value, written) -> None:
    assert safe_cell(value) == written


def test_the_response_streams_safe_rows() -> None:
    response = csv_response("x.csv", ["name", "amount"], iter([["=HYPERLINK(1)", Decimal("-1.5")]]))
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [["name", "amount"], ["'=HYPERLINK(1)", "-1.5"]]
