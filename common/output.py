"""Where long-running work reports its progress: a management command's `self.stdout`, a file."""

from __future__ import annotations

from typing import Any, Protocol


class Output(Protocol):
    """Anything with a `write(text)`: `sys.stdout`, a `StringIO`, a command's output wrapper."""

    def write(self, text: str, /) -> Any: ...
