"""Where the commands write: text for people, one JSON document a line, or stderr notes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["Output", "json_line", "note"]


def json_line(value: Any, *, sort_keys: bool = True) -> str:
    """Return ``value`` as one line of JSON (what JSON lacks as ``str()``)."""
    return json.dumps(value, sort_keys=sort_keys, default=str) + "\n"


def note(text: str) -> None:
    """Write ``janus-client: TEXT`` to stderr (progress and errors, never the result)."""
    print(f"janus-client: {text}", file=sys.stderr, flush=True)


class Output:
    """Where a command writes: text for people, or JSON documents, one per line."""

    def __init__(self, as_json: bool, stream: TextIO | None = None) -> None:
        self.as_json = as_json
        self.stream = stream if stream is not None else sys.stdout

    def line(self, text: str = "") -> None:
        """Write a line of text (ignored in JSON mode)."""
        if not self.as_json:
            print(text, file=self.stream, flush=True)

    def result(self, value: Any, text: Callable[[Any], str] | None = None) -> None:
        """Write a result: one line of JSON, or ``text(value)``."""
        if self.as_json:
            self.stream.write(json_line(value))
            self.stream.flush()
        elif text is not None:
            print(text(value), file=self.stream, flush=True)

    @property
    def is_terminal(self) -> bool:
        """True when the output is text for a terminal (a refreshing display fits)."""
        return not self.as_json and self.stream.isatty()
