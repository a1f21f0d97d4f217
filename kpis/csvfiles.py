"""Streaming CSV files as helpdesks and spreadsheets export them. Standard library only.

A file is read row by row and never held in memory: a 200 MB export costs the same memory
as a small one. Encoding (UTF-8, with or without BOM, or UTF-16 with BOM) and delimiter
(comma, semicolon, tab or pipe) are detected from the first 64 KB; anything else is refused
with a message saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

SAMPLE_BYTES = 64 * 1024
UNDECODABLE = re.compile("[\udc80-\udcff]")
DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class FileProblem(Exception):
    """The file as a whole cannot be read; `row` is where reading stopped (0: at once)."""

    def __init__(self, message: str, row: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


class _Prefixed(io.RawIOBase):
    """The bytes already read for sniffing, followed by the rest of the stream."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self.prefix = prefix
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.prefix:
            n = min(len(buffer), len(self.prefix))
            buffer[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
            return n
        chunk = self.rest.read(len(buffer))
        if not chunk:
            return 0
        buffer[: len(chunk)] = chunk
        return len(chunk)


@dataclass
class CsvFile:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, values)
    encoding: str
    delimiter: str

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"The file is not UTF-8 text (byte 0x{sample[exc.start]:02X} at position "
            f"{exc.start:,} cannot be read): export or save it as “CSV UTF-8” and upload it again."
        ) from None
    return "utf-8"


def open_csv(stream: IO[bytes]) -> CsvFile:
    """Open a CSV stream: detect encoding and delimiter, read the header, and return an
    iterator over the rows. Raises FileProblem for an empty or unreadable file."""
    sample = stream.read(SAMPLE_BYTES)
    if not sample.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileProblem("The file is empty.")
    encoding = _encoding(sample)
    text_sample = sample.decode(encoding, errors="ignore")
    if len(sample) == SAMPLE_BYTES and "\n" in text_sample:
        text_sample = text_sample[: text_sample.rindex("\n")]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text_sample, delimiters=DELIMITERS
        )
    except csv.Error:
        dialect = csv.excel
    # Undecodable bytes become lone surrogates, so that the row holding them is named
    # exactly (decoding runs ahead of the CSV reader, in blocks).
    text = io.TextIOWrapper(
        io.BufferedReader(_Prefixed(sample, stream)),
        encoding=encoding,
        errors="surrogateescape",
        newline="",
    )
    reader = csv.reader(text, dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("The file is empty.") from None
    except csv.Error as exc:
        raise FileProblem(f"The header row cannot be read: {exc}.", row=1) from None
    header = [name.strip().lstrip("\ufeff") for name in header]
    if not any(header):
        raise FileProblem("The first row, which should name the columns, is empty.", row=1)
    return CsvFile(header, _rows(reader), encoding, dialect.delimiter)


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(
                f"Row {number + 1:,} cannot be read: {exc}.", row=number + 1
            ) from None
        number += 1
        for value in values:
            bad = UNDECODABLE.search(value)
            if bad:
                byte = ord(bad.group()) - 0xDC00
                raise FileProblem(
                    f"Row {number:,} is not UTF-8 text (byte 0x{byte:02X}): export or save the "
                    "file as “CSV UTF-8” and upload it again.",
                    row=number,
                )
        if values and any(value.strip() for value in values):
            yield number, values


def count_lines(stream: IO[bytes], chunk: int = 1 << 20) -> int:
    """Lines in a binary stream, reading it in chunks (an estimate of its rows)."""
    lines = 0
    last = b""
    while True:
        data = stream.read(chunk)
        if not data:
            break
        lines += data.count(b"\n")
        last = data[-1:]
    return lines + (1 if last and last != b"\n" else 0)
