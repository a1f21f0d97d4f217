"""Reading CSV exports as they come: encodings, delimiters, and streaming."""

from __future__ import annotations

import codecs
import io

import pytest

from kpis.csvfiles import FileProblem, count_lines, open_csv


def rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    csv_file = open_csv(io.BytesIO(data))
    return csv_file.header, list(csv_file.rows)


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"id,channel\n1,chat\n", "comma"),
        (b"id;channel\r\n1;chat\r\n", "semicolon"),
        (b"id\tchannel\n1\tchat\n", "tab"),
        (b"id|channel\n1|chat\n", "pipe"),
    ],
)
def test_delimiter_is_detected(data, delimiter):
    csv_file = open_csv(io.BytesIO(data))
    assert csv_file.delimiter_name == delimiter
    assert csv_file.header == ["id", "channel"]
    assert list(csv_file.rows) == [(2, ["1", "chat"])]


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "id,agent\n1,Zoë\n".encode(),
        "id,agent\n1,Zoë\n".encode("utf-16"),
        "id,agent\n1,Zoë\n".encode(),
    ],
)
def test_utf8_with_or_without_bom_and_utf16_with_bom_are_read(data):
    assert rows(data) == (["id", "agent"], [(2, ["1", "Zoë"])])


def test_latin1_file_is_refused_with_what_to_do():
    with pytest.raises(FileProblem, match="not UTF-8 text .* “CSV UTF-8”"):
        open_csv(io.BytesIO("id,agent\n1,Zoë\n".encode("latin-1")))


def test_encoding_breaking_late_in_a_big_file_names_the_row():
    data = b"id,agent\n" + b"1,ok\n" * 20000 + "2,Zoë\n".encode("latin-1")
    csv_file = open_csv(io.BytesIO(data))
    with pytest.raises(FileProblem) as problem:
        list(csv_file.rows)
    assert problem.value.row == 20002
    assert problem.value.message.startswith("Row 20,002 is not UTF-8 text (byte 0xEB)")


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", codecs.BOM_UTF8])
def test_empty_file_is_refused(data):
    with pytest.raises(FileProblem, match="The file is empty."):
        open_csv(io.BytesIO(data))


def test_quoted_values_with_newlines_count_as_one_spreadsheet_row():
    header, data = rows(b'id,note\n1,"two\nlines"\n2,x\n')
    assert data == [(2, ["1", "two\nlines"]), (3, ["2", "x"])]


def test_blank_lines_are_skipped_but_keep_row_numbers():
    _, data = rows(b"id\n1\n\n3\n")
    assert data == [(2, ["1"]), (4, ["3"])]


class EndlessExport(io.RawIOBase):
    """A CSV export of any size, generated as it is read, counting the bytes handed out."""

    def __init__(self, rows: int) -> None:
        self.header = b"external_id,agent_id,channel\n"
        self.rows = rows
        self.emitted = 0
        self.bytes_read = 0
        self.pending = self.header

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while len(self.pending) < len(buffer) and self.emitted < self.rows:
            self.emitted += 1
            self.pending += b"T-%09d,A-%d,chat\n" % (self.emitted, self.emitted % 300)
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        self.bytes_read += n
        return n


def test_a_200_mb_export_is_read_as_a_stream_not_into_memory():
    export = EndlessExport(rows=8_000_000)  # about 200 MB of CSV
    csv_file = open_csv(export)
    for number, _values in csv_file.rows:
        if number == 1_000:
            break
    # Reading the first thousand rows pulled in a few buffers, not the file.
    assert export.bytes_read < 1_000_000


def test_count_lines_reads_in_chunks():
    assert count_lines(io.BytesIO(b"a\nb\nc")) == 3
    assert count_lines(io.BytesIO(b"a\nb\n")) == 2
    assert count_lines(io.BytesIO(b"")) == 0
