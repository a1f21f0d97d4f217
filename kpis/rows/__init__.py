"""Reading one row of KPI data: the fields of each kind of import (`fields`), how a file's
columns map onto them and the helpdesk presets (`columns`), how each value is checked
(`values`), and the reader that puts them together for a row (`reader`). Pure: standard
library only.

Every problem names its row and column in words a person can act on, for example
"row 1,204, column csat: '6' is outside 1-5". Rows are numbered as in a spreadsheet: the
header is row 1, so the first data row is row 2. (For API calls, row 1 is the first row.)
The columns of each kind, and the Zendesk and Freshdesk presets, are documented in
docs/imports.md.
"""

from __future__ import annotations

from kpis.rows.columns import FRESHDESK, KEEL, PRESETS, ZENDESK, ColumnMap
from kpis.rows.fields import (
    AGGREGATE_FIELDS,
    AGGREGATE_PAIRS,
    FIELDS,
    INTERACTION_FIELDS,
    MAX_TEXT,
    ROSTER_FIELDS,
    Field,
    FieldType,
    Kind,
)
from kpis.rows.reader import Problem, RowReader, period_of
from kpis.rows.values import (
    Context,
    RowError,
    is_blank,
    parse_boolean,
    parse_channel,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_integer,
    parse_text,
)

__all__ = [
    "AGGREGATE_FIELDS",
    "AGGREGATE_PAIRS",
    "FIELDS",
    "FRESHDESK",
    "INTERACTION_FIELDS",
    "KEEL",
    "MAX_TEXT",
    "PRESETS",
    "ROSTER_FIELDS",
    "ZENDESK",
    "ColumnMap",
    "Context",
    "Field",
    "FieldType",
    "Kind",
    "Problem",
    "RowError",
    "RowReader",
    "is_blank",
    "parse_boolean",
    "parse_channel",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_integer",
    "parse_text",
    "period_of",
]
