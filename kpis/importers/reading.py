"""Where an import's rows come from: a CSV stream read through the batch's column mapping,
or JSON objects already keyed by Keel's field names. Either way the batch lifecycle gets a
`Source`: the row reader, the numbered rows, and the problems of the file as a whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any
from zoneinfo import ZoneInfo

from core import clock
from kpis.csvfiles import FileProblem, open_csv
from kpis.models import ImportBatch
from kpis.rows import ColumnMap, Context, Kind, Problem, RowReader

# Called once the batch is claimed: (reader or None when the file cannot be read at all,
# (row number, row) pairs, problems of the whole file).
Source = Callable[[], tuple[RowReader | None, Iterator[tuple[int, Any]], list[Problem]]]


def reader_for(batch: ImportBatch, header: list[str] | None) -> RowReader:
    """A reader of the batch's kind through its column mapping; `header` None reads rows
    keyed by Keel's field names."""
    return RowReader(
        kind=Kind(batch.kind),
        column_map=ColumnMap.from_json(batch.mapping),
        ctx=Context(now=clock.now(), default_tz=ZoneInfo(batch.timezone)),
        header=header,
    )


def csv_source(batch: ImportBatch, stream: IO[bytes]) -> Source:
    """The rows of a CSV stream (an upload, or a file on disk)."""

    def source() -> tuple[RowReader | None, Iterator[tuple[int, Any]], list[Problem]]:
        try:
            csv_file = open_csv(stream)
        except FileProblem as exc:
            return None, iter(()), [Problem(exc.row, "", "", exc.message)]
        return reader_for(batch, header=csv_file.header), csv_file.rows, []

    return source


def records_source(batch: ImportBatch, records: list[Mapping[str, Any]]) -> Source:
    """Rows sent as JSON objects (the REST endpoint), numbered from 1."""

    def source() -> tuple[RowReader | None, Iterator[tuple[int, Any]], list[Problem]]:
        return reader_for(batch, header=None), enumerate(records, start=1), []

    return source
