"""Reading the CSV files DfE publishes: the encoding, the header, and where each problem is."""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CHUNK = 1024 * 1024

# A source is a path or a binary file object (for example an uploaded file).
Source = IO[bytes] | Path | str


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong with a file, with the place it is: line 1 is the header."""

    file: str
    problem: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column is not None:
            return f"{place}: column {self.column}: {self.problem}"
        return f"{place}: {self.problem}"


class FileRejected(Exception):
    """The file cannot be read at all (encoding, missing columns)."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


UNICODE_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _refuse_utf16(stream: IO[bytes], file_name: str) -> None:
    """Refuse a UTF-16 or UTF-32 file (a byte order mark, or NUL bytes in the header).

    Such bytes would otherwise be read as Windows-1252 and every column reported missing.
    """
    start = stream.read(CHUNK)
    stream.seek(0)
    found = next((name for bom, name in UNICODE_BOMS if start.startswith(bom)), None)
    if found is None and b"\x00" in start.split(b"\n", 1)[0]:
        found = "UTF-16"
    if found is not None:
        raise FileRejected(
            [
                FileProblem(
                    file_name,
                    f"cannot read the file: it is {found} text; save it as CSV in UTF-8"
                    " or Windows-1252 (in Excel: CSV UTF-8 (Comma delimited))",
                )
            ]
        )


def _advance(chunk: bytes, offset: int, line: int, line_start: int) -> tuple[int, int]:
    """The line number and the offset of the line's start after the chunk at offset."""
    last = chunk.rfind(b"\n")
    if last < 0:
        return line, line_start
    return line + chunk.count(b"\n"), offset + last + 1


def detect_encoding(stream: IO[bytes], file_name: str) -> str:
    """UTF-8 (with or without a byte order mark) if the bytes are valid UTF-8, else Windows-1252.

    GIAS publishes its extracts in Windows-1252; a file saved again by a spreadsheet is often
    UTF-8 with a BOM. Bytes that are neither (0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in
    Windows-1252) make the file unreadable: the problem names the line and column (character
    in the line) of the first. UTF-16 and UTF-32 are refused. Leaves the stream at its start.
    """
    _refuse_utf16(stream, file_name)
    for encoding in ("utf-8-sig", "cp1252"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        lines, line_start, offset = 1, 0, 0  # where the current chunk starts
        try:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
                lines, line_start = _advance(chunk, offset, lines, line_start)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            if encoding == "cp1252":
                stream.seek(0)
                # Windows-1252 is one byte a character, so the column is the byte's place.
                line, line_start = _advance(chunk[: exc.start], offset, lines, line_start)
                column = offset + exc.start - line_start + 1
                raise FileRejected(
                    [
                        FileProblem(
                            file_name,
                            "cannot read the file: it is neither UTF-8 nor Windows-1252 text"
                            f" (byte 0x{chunk[exc.start]:02X} at line {line}, column {column})",
                            line=line,
                        )
                    ]
                ) from exc
            continue
        stream.seek(0)
        return encoding
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def binary_stream(source: Source, file_name: str) -> Iterator[IO[bytes]]:
    """A seekable binary stream over the source, closed afterwards only if opened here."""
    if isinstance(source, str | Path):
        try:
            handle = open(source, "rb")  # noqa: SIM115
        except OSError as exc:
            raise FileRejected(
                [FileProblem(file_name, f"cannot open the file: {exc.strerror}")]
            ) from exc
        with handle:
            yield handle
        return
    if source.seekable():
        source.seek(0)
        yield source
        return
    with tempfile.SpooledTemporaryFile(max_size=64 * CHUNK) as copy:
        shutil.copyfileobj(source, copy)
        copy.seek(0)
        yield copy


@dataclass
class CsvFile:
    """An open CSV file: its header, its records with the line each starts on, and progress."""

    file_name: str
    encoding: str
    header: list[str]
    size: int
    _reader: Iterator[list[str]]
    _binary: IO[bytes]
    _line_num: Callable[[], int]

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Each record but blank lines, with the line it starts on (the header is line 1)."""
        previous = self._line_num()
        for record in self._reader:
            if record:
                yield previous + 1, record
            previous = self._line_num()

    def width_problem(self, line: int, record: list[str]) -> FileProblem | None:
        """A record must have one cell for each column: any other count shifts the columns."""
        if len(record) == len(self.header):
            return None
        return FileProblem(
            self.file_name,
            f"has {len(record)} cells but the header has {len(self.header)} columns",
            line,
        )

    def bytes_read(self) -> int:
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return 0

    def index(self, column: str) -> int | None:
        try:
            return self.header.index(column)
        except ValueError:
            return None


@contextmanager
def open_csv(source: Source, *, file_name: str, required: tuple[str, ...]) -> Iterator[CsvFile]:
    """Open a DfE CSV file, checking its encoding and that the required columns are there.

    Raises FileRejected naming the file (and each missing column) if it cannot be used.
    """
    with binary_stream(source, file_name) as binary:
        encoding = detect_encoding(binary, file_name)
        binary.seek(0, io.SEEK_END)
        size = binary.tell()
        binary.seek(0)
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        try:
            reader = csv.reader(text)
            try:
                header = [name.strip() for name in next(reader)]
            except StopIteration:
                raise FileRejected([FileProblem(file_name, "the file is empty")]) from None
            except csv.Error as exc:
                raise FileRejected(
                    [FileProblem(file_name, f"cannot read the header: {exc}", line=1)]
                ) from exc
            missing = [column for column in required if column not in header]
            if missing:
                raise FileRejected(
                    [
                        FileProblem(file_name, "required column is missing", line=1, column=name)
                        for name in missing
                    ]
                )
            yield CsvFile(
                file_name=file_name,
                encoding=encoding,
                header=header,
                size=size,
                _reader=reader,
                _binary=binary,
                _line_num=lambda: reader.line_num,
            )
        finally:
            # Leave a caller's stream open: detach rather than close the text wrapper.
            text.detach()
