"""Redaction for log output: a logging filter, a websockets logger adapter, a helper.

The library's own records are redacted where they are made (`janus_client.protocol.redact`).
This module is for everything else a DEBUG configuration lets through: records of
other libraries (websockets frames, aiortc's SDP), and text that only *looks*
like a message, such as a truncated frame.

* `RedactingFilter`: attach it to a handler; it rewrites every record that handler
  emits, whatever logger it comes from.
* `RedactingLoggerAdapter`: the ``logger=`` given to websockets. The library's
  WebSocket transports use one by default (on the ``websockets.client`` logger),
  so frame logs never carry a secret or an SDP body.
* `redact_text`: the function both use.
* `enable_debug_logging`: DEBUG on the console through a `RedactingFilter` (what
  ``janus-client --debug`` does).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import IO, Any

from .protocol import REDACTED, SECRET_KEYS, redact

__all__ = [
    "RedactingFilter",
    "RedactingLoggerAdapter",
    "enable_debug_logging",
    "redact_text",
]

# Longest frame text shown in a websockets frame record (websockets shows 75).
_FRAME_PREVIEW = 200

_KEYS = "|".join(sorted((re.escape(k) for k in SECRET_KEYS), key=len, reverse=True))
# `"key": "value"`, `'key': 'value'`, `key=value` (query strings), unquoted values.
_SECRET_VALUE = re.compile(
    rf"""(?<![\w-])(?P<key>{_KEYS})(?P<sep>["']?\s*[:=]\s*)"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\s,;&}\]\)"']+)""",
    re.IGNORECASE,
)
# Token lists: admin `tokens` and the rooms' `allowed` ACLs.
_TOKEN_LIST = re.compile(
    r"""(?P<key>["']?(?:tokens|allowed)["']?\s*:\s*)\[(?P<items>[^\]\[{}]*)\]?""",
    re.IGNORECASE,
)
# A quoted string that holds an SDP (JSON or Python repr, escaped newlines).
_QUOTED_SDP = re.compile(
    r"""(?P<q>["'])v=0(?:\\r\\n|\\n|\r\n|\n)(?:(?!(?P=q))[^\\]|\\.)*(?P=q)?"""
)
# The value of an `sdp` key, whatever it holds (even truncated).
_SDP_VALUE = re.compile(
    r"""(?P<key>["']?sdp["']?\s*:\s*)(?P<value>(?P<q>["'])(?:(?!(?P=q))[^\\]|\\.)*(?P=q)?)"""
)
# Raw SDP text (an SDP logged as such, for example by aiortc).
_RAW_SDP = re.compile(r"v=0\r?\n(?:[a-z]=[^\r\n]*(?:\r?\n|$))+")
# ICE passwords wherever they are: `a=ice-pwd:...`, `"ice-pwd": "..."`, `pwd=...`.
_ICE_PWD = re.compile(
    r"""(?P<key>(?:ice[-_])?(?:pwd|password|passwd))(?P<sep>["']?\s*[:=]\s*["']?)"""
    r"""(?P<value>[^\s"'\\,;&}\]]+)""",
    re.IGNORECASE,
)


def _sdp_size(match: re.Match[str], group: str | int = 0) -> str:
    text = match.group(group)
    q = text[0] if text[:1] in ("'", '"') else ""
    return f"{q}<sdp, {max(len(text) - 2 * len(q), 0)} chars>{q}"


def redact_text(text: str) -> str:
    """Return ``text`` with secrets, tokens, pins, ICE passwords and SDP bodies hidden.

    Works on any text (JSON, Python reprs, query strings, raw SDP, truncated
    fragments): values of the keys in `janus_client.protocol.SECRET_KEYS` become
    ``***``, token lists become ``["***"]``, SDP bodies become ``<sdp, N chars>``
    and ``ice-pwd`` values ``***``.

    Args:
        text: A log message or any other text.

    Returns:
        The redacted text (the same object when nothing needed hiding).
    """
    if not text:
        return text
    out = _SDP_VALUE.sub(lambda m: m.group("key") + _sdp_size(m, "value"), text)
    out = _QUOTED_SDP.sub(_sdp_size, out)
    out = _RAW_SDP.sub(lambda m: f"<sdp, {len(m.group(0))} chars>", out)
    out = _TOKEN_LIST.sub(_redact_list, out)
    out = _SECRET_VALUE.sub(_redact_value, out)
    out = _ICE_PWD.sub(lambda m: f"{m.group('key')}{m.group('sep')}{REDACTED}", out)
    return text if out == text else out


def _redact_value(match: re.Match[str]) -> str:
    value = match.group("value")
    q = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group('key')}{match.group('sep')}{q}{REDACTED}{q}"


def _redact_list(match: re.Match[str]) -> str:
    items = match.group("items").strip()
    if not items:
        return match.group(0)
    q = '"' if '"' in items else ("'" if "'" in items else "")
    return f"{match.group('key')}[{q}{REDACTED}{q}]"


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record it sees (never drops one).

    Attach it to a *handler* (``handler.addFilter(RedactingFilter())``) so that it
    applies to the records of every logger that handler emits, including
    websockets, aiohttp and aiortc; a filter on a logger only sees that logger's
    own records. The message (with its arguments) and an exception's traceback
    text pass through `redact_text`.

    Example:
        ```python
        handler = logging.StreamHandler()
        handler.addFilter(RedactingFilter())
        logging.basicConfig(level=logging.DEBUG, handlers=[handler])
        ```
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keep it."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format: leave it to the handler to report
            return True
        cleaned = redact_text(message)
        if cleaned is not message:  # untouched records keep their msg and args
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def _frame_text(frame: Any) -> str | None:
    """Render a websockets frame with its payload redacted, or None if not a frame."""
    opcode = getattr(frame, "opcode", None)
    data = getattr(frame, "data", None)
    if opcode is None or not isinstance(data, (bytes, bytearray, memoryview)):
        return None
    name = getattr(opcode, "name", str(opcode))
    size = len(data)
    if name not in ("TEXT", "BINARY", "CONT"):
        return f"{name} [{size} bytes]"
    try:
        text = bytes(data).decode()
    except UnicodeDecodeError:
        return f"{name} <binary> [{size} bytes]"
    try:
        shown = json.dumps(redact(json.loads(text)), separators=(",", ":"))
    except (ValueError, RecursionError):
        shown = redact_text(text)
    if len(shown) > _FRAME_PREVIEW:
        shown = shown[: _FRAME_PREVIEW - 1] + "…"
    return f"{name} {shown} [{size} bytes]"


class RedactingLoggerAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger for websockets (its ``logger=`` argument) that redacts what it logs.

    websockets logs each frame at DEBUG with the beginning and the end of its
    text, which is where Janus requests carry ``apisecret``, ``token`` and
    ``admin_secret``. This adapter renders frames from their complete payload,
    redacted like the library's own records (`janus_client.protocol.redact`), and
    passes every other record through `redact_text`. The library's WebSocket
    transports use one on the ``websockets.client`` logger by default; give one to
    your own websockets connections the same way::

        websockets.connect(url, logger=RedactingLoggerAdapter())

    Args:
        logger: The logger to write to (default: ``websockets.client``).
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        super().__init__(logger if logger is not None else logging.getLogger("websockets.client"))

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        """Log ``msg % args`` redacted (frames rendered from their whole payload)."""
        if not self.isEnabledFor(level):
            return
        rendered = tuple(_frame_text(a) or a for a in args)
        try:
            text = str(msg) % rendered if rendered else str(msg)
        except (TypeError, ValueError):
            text = " ".join(str(x) for x in (msg, *rendered))
        self.logger.log(level, "%s", redact_text(text), **kwargs)


def enable_debug_logging(
    stream: IO[str] | None = None, *, fmt: str = "%(asctime)s %(levelname)s %(name)s: %(message)s"
) -> logging.Handler:
    """Log everything at DEBUG to ``stream`` (default: stderr), redacted.

    Adds one `logging.StreamHandler` with a `RedactingFilter` to the root logger
    and sets the root level to DEBUG, so that the records of every library
    (janus_client, websockets, aiohttp, aiortc, aioice) are shown, none with a
    secret, token, pin, ICE password or SDP body. Calling it again returns the
    handler added the first time.

    Args:
        stream: Where to write (default ``sys.stderr``).
        fmt: The `logging.Formatter` format.

    Returns:
        The handler added (remove it with ``logging.getLogger().removeHandler``).
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "_janus_client_debug", False):
            return handler
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(logging.Formatter(fmt))
    handler.addFilter(RedactingFilter())
    handler._janus_client_debug = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return handler
