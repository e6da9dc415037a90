"""Build GIAS-format files for tests."""

import csv
import io
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "gias_extract_sample_2024.csv"

with open(SAMPLE, encoding="cp1252", newline="") as _handle:
    HEADER_2024: list[str] = next(csv.reader(_handle))


def establishment(**overrides: str) -> dict[str, str]:
    """An open community primary school in Westminster (213), as a GIAS row."""
    row = {
        "URN": "999001",
        "LA (code)": "213",
        "LA (name)": "Westminster",
        "EstablishmentName": "Test Primary School",
        "TypeOfEstablishment (name)": "Community school",
        "EstablishmentStatus (name)": "Open",
        "PhaseOfEducation (name)": "Primary",
        "OpenDate": "01-09-1990",
        "CloseDate": "",
        "Street": "1 School Lane",
        "Town": "London",
        "Postcode": "W1 1AA",
        "SchoolWebsite": "https://test.example.org",
        "UKPRN": "",
        "TypeOfResourcedProvision (name)": "Not applicable",
    }
    row.update(overrides)
    return row


def gias_bytes(
    rows: list[dict[str, str]],
    *,
    columns: list[str] | None = None,
    encoding: str = "cp1252",
    drop: tuple[str, ...] = (),
) -> bytes:
    header = [c for c in (columns or HEADER_2024) if c not in drop]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode(encoding)


def edit_cells(data: bytes, line: int, edit: Callable[[list[bytes]], object]) -> bytes:
    """The file with the cells of one line (1 is the header) changed in place by edit.

    Splits on commas, so only for lines whose values have none (as establishment()'s).
    """
    lines = data.split(b"\r\n")
    cells = lines[line - 1].split(b",")
    edit(cells)
    lines[line - 1] = b",".join(cells)
    return b"\r\n".join(lines)


def write_gias(tmp_path: Path, rows: list[dict[str, str]], name: str = "gias.csv", **kw) -> Path:
    path = tmp_path / name
    path.write_bytes(gias_bytes(rows, **kw))
    return path


def links_bytes(rows: list[tuple[str, str, str, str, str]], encoding: str = "cp1252") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
