"""Reading a version file: YAML or JSON text to plain data, and how problems are named."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_PATH = Path(__file__).parent.parent / "schema" / "standard-version.schema.json"
FORMAT_VERSION = 1
DEFAULT_TEXT_MAX_LENGTH = 500


@dataclass(frozen=True)
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class StandardFormatError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@cache
def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def place_of(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _jsonable(value: Any) -> Any:
    """YAML gives dates as date objects; the format and the canonical form use ISO strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def normalise_number(value: Any) -> Any:
    """Whole floats become ints so that 95 and 95.0 give the same canonical text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _normalise_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalise_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_numbers(v) for v in value]
    if isinstance(value, bool):
        return value
    return normalise_number(value)


class _Loader(yaml.SafeLoader):
    """safe_load, except that a value YAML recognises but cannot build (0x_) is a problem, not a crash."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value: {exc}", node.start_mark
            ) from exc

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        # YAML would keep the last of two equal keys silently; an author means only one of them.
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice here", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # YAML reads 2026-02-30 as a date and fails; as text, the schema names the field it is in.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def read_text(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: plain data only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise StandardFormatError(
            [Problem(where, f"not valid YAML or JSON: {exc.problem}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise StandardFormatError([Problem("file", f"not valid YAML or JSON: {exc}")]) from exc
