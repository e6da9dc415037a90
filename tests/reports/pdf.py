"""Reading a PDF's text layer and its tagged structure, for the tests of reports."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


def reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), data[:40]
    return PdfReader(io.BytesIO(data))


def text(data: bytes) -> str:
    """The text layer, with runs of white space made single spaces."""
    pages = reader(data).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in pages))


def structure(data: bytes) -> tuple[list[str], list[str]]:
    """(every structure element's tag, every figure's alternative text)."""
    root = reader(data).trailer["/Root"]
    tags: list[str] = []
    alts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject):
            tag = node.get("/S")
            if tag is not None:
                tags.append(str(tag).lstrip("/"))
                if str(tag) == "/Figure" and "/Alt" in node:
                    alts.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return tags, alts


def language(data: bytes) -> str:
    return str(reader(data).trailer["/Root"].get("/Lang", ""))


def is_marked(data: bytes) -> bool:
    mark = reader(data).trailer["/Root"].get("/MarkInfo")
    return bool(mark and mark.get_object().get("/Marked"))
