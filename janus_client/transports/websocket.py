"""WebSocket transport: one socket, subprotocol ``janus-protocol``, one reader task.

Replies take a short path: a complete text or binary frame is handed to the
transport's `_receive` from the connection's ``process_event`` hook, in the
same loop iteration that read it, rather than queued for the reader task to
pick up one iteration later (see `fast_path_supported`). The reader task still
runs: it reads fragmented messages (and every message queued behind one, to keep
the order) and notices when the connection ends.

Requests take a short path too: when the connection is open and its write
buffer has room, a request is framed and written at once (what websockets'
``send`` does in that case, without its coroutine, its async context manager
and its ``drain``); otherwise ``send`` is awaited as usual.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl as _ssl
import struct
from collections import deque
from collections.abc import Callable, Mapping, Sized
from typing import Any
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.connection import Connection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - websockets built without its C extension
    from websockets.utils import apply_mask

from .._dispatch import cancel_and_wait
from ..config import ReconnectPolicy, Timeouts, resolve_timeout
from ..errors import ConnectError, ConnectionClosedError
from ..logs import RedactingLoggerAdapter
from ..protocol import encode
from .base import JanusTransport

__all__ = ["JanusTransportWebsocket", "fast_path_supported"]

logger = logging.getLogger("janus_client")

_TEXT = Opcode.TEXT
_BINARY = Opcode.BINARY
_OPEN = State.OPEN
_pack = struct.pack
_urandom = os.urandom


#: Payloads up to this size are read by `_Connection.data_received` itself.
_SMALL_FRAME = 65536


def _masked_text_frame(payload: bytes) -> bytes:
    """One final, masked text frame (RFC 6455 section 5.2) with ``payload``.

    The bytes websockets' ``Frame.serialize`` writes for a client's text frame
    without extensions (a fresh random mask per frame, as it takes one too).
    """
    length = len(payload)
    if length < 126:
        head = _pack("!BB", 0x81, 0x80 | length)
    elif length < 65536:
        head = _pack("!BBH", 0x81, 0x80 | 126, length)
    else:
        head = _pack("!BBQ", 0x81, 0x80 | 127, length)
    mask = _urandom(4)
    return head + mask + apply_mask(payload, mask)


def fast_path_supported() -> bool:
    """Whether the installed websockets has the seam the transport's short path uses.

    websockets' asyncio connection hands every frame it parses to its
    ``process_event(event)`` method, which queues data frames for ``recv``. The
    transport overrides that method to deliver complete messages at once. When a
    websockets release changes that shape, the transport falls back to reading
    every message with its reader task (the behaviour is the same, one loop
    iteration slower per reply); a unit test fails on such a release.

    Returns:
        True when the short path is used.
    """
    method = vars(Connection).get("process_event")
    if not callable(method) or "process_event" not in vars(ClientConnection):
        return False
    fields = getattr(Frame, "__dataclass_fields__", {})
    return all(name in fields for name in ("opcode", "data", "fin"))


def _send_now_supported() -> bool:
    """Whether websockets' connection has what `_Connection.send_now` uses."""
    return callable(vars(Connection).get("send_data")) and callable(
        getattr(Connection, "send", None)
    )


_FAST_PATH = fast_path_supported()
_SEND_NOW = _send_now_supported()
#: Whether `_Connection.data_received` may read frames itself (tests turn it off).
_READ_FRAMES = callable(vars(Connection).get("data_received"))


class _WriteFailed(Exception):
    """Writing a frame failed in `_Connection.send_now` (the connection was aborted)."""


class _Connection(ClientConnection):
    """A websockets client connection whose complete data frames skip the queue.

    ``sink`` (set by the transport once connected) receives each complete text
    message (as str) or binary message (as bytes) from ``process_event``, that
    is from the protocol's ``data_received``. Everything else takes websockets'
    own way: control frames, fragmented messages, text that is not UTF-8 (the
    reader then fails the connection with code 1007, as websockets does), and
    any data frame while frames wait in the queue, so that messages keep their
    order.
    """

    sink: Callable[[str | bytes], None] | None = None
    #: The assembler's queue of frames waiting for ``recv`` (set with ``sink``).
    queued: Sized = ()
    #: Whether `send_now` may write (set by `writes_directly`).
    direct = False
    #: Whether `send_now` may frame messages itself (no extensions; websockets'
    #: own frames leave nothing waiting in its write queue).
    framing = False

    def writes_directly(self) -> bool:
        """Let `send_now` write from now on; False if websockets changed."""
        self.direct = _SEND_NOW and all(
            hasattr(self, name) for name in ("send_in_progress", "paused", "protocol")
        )
        protocol = getattr(self, "protocol", None)
        self.framing = (
            self.direct
            and isinstance(getattr(protocol, "writes", None), list)
            and getattr(protocol, "extensions", None) == []
        )
        return self.direct

    def send_now(self, message: Mapping[str, Any]) -> bool:
        """Write ``message`` as one text frame at once if nothing stands in the way.

        That is what websockets' ``send`` does for a str when the connection is
        open and its write buffer has room: frame it, write it, return. Returns
        False, having written nothing, when the connection is not open, a
        fragmented message is being sent, or the write buffer is full (then
        ``send`` must be awaited; it waits or raises as it should).

        Raises:
            ValueError: ``message`` has a NaN or infinite number (see `encode`).
            TypeError: ``message`` holds a value JSON cannot represent.
            _WriteFailed: Writing failed; the connection is aborted first, as
                websockets' ``send`` does.
        """
        protocol = self.protocol
        if (
            not self.direct
            or protocol.state is not _OPEN
            or self.send_in_progress is not None
            or self.paused
            or self.transport.is_closing()
        ):
            return False
        payload = encode(message).encode()  # not JSON: raises, nothing is written
        try:
            if self.framing and not protocol.debug and not protocol.writes:
                self.transport.write(_masked_text_frame(payload))
            else:  # websockets frames it (and logs the frame at DEBUG)
                protocol.send_text(payload)
                self.send_data()
        except Exception as exc:  # as in websockets' send_context: fail the connection
            self.set_connection_exc(exc)
            self.transport.abort()
            raise _WriteFailed(exc) from exc
        return True

    def deliver_to(self, sink: Callable[[str | bytes], None]) -> bool:
        """Hand complete messages to ``sink`` from now on; False if websockets changed."""
        frames = getattr(getattr(self.recv_messages, "frames", None), "queue", None)
        if not isinstance(frames, deque):
            return False
        self.queued = frames
        self.sink = sink
        return True

    def reads_frames(self) -> bool:
        """Read complete small data frames in `data_received` from now on (see there).

        Only once connected, with nothing of websockets' own waiting to be parsed,
        and when websockets does not log frames (DEBUG); False if it cannot.
        """
        protocol = getattr(self, "protocol", None)
        buffer = getattr(getattr(protocol, "reader", None), "buffer", None)
        if (
            self.sink is None
            or protocol is None
            or protocol.state is not _OPEN
            or protocol.debug
            or not isinstance(buffer, bytearray)
            or buffer
            or getattr(protocol, "extensions", None) != []
            or not all(
                hasattr(protocol, name)
                for name in ("current_size", "max_message_size", "max_fragment_size")
            )
        ):
            return False
        limit = _SMALL_FRAME
        for most in (protocol.max_message_size, protocol.max_fragment_size):
            if most is not None:
                limit = min(limit, most)
        self.small = limit
        self.parsing = True
        return True

    #: Whether `data_received` reads frames itself (set by `reads_frames`).
    parsing = False
    #: The largest payload `data_received` reads itself (larger: websockets).
    small = 0
    #: Bytes of a frame not complete yet (at most a small frame and its header).
    held = b""
    #: Bytes still to come of a frame websockets reads.
    passing = 0

    def data_received(self, data: bytes) -> None:
        """Read complete, small, final text and binary frames here; the rest: websockets.

        websockets parses each frame with a generator and a dozen calls; Janus'
        messages are small single frames, read here in a few operations and
        handed to ``sink``. Every other frame (control frames, fragments,
        masked or reserved bits, larger than `small`, text that is not UTF-8)
        and every data frame while websockets holds frames for ``recv`` (order)
        or a fragmented message goes to websockets byte for byte, so that its
        parser always starts at a frame boundary and does all it did (pongs,
        closing handshake, close codes 1002/1007/1009). Once the connection is
        not open any more, everything goes to websockets.
        """
        if not self.parsing:
            super().data_received(data)
            return
        if self.held:
            data = self.held + data
            self.held = b""
        protocol = self.protocol
        end = len(data)
        pos = 0
        while pos < end:
            if self.passing:  # the rest of a frame websockets is reading
                take = min(self.passing, end - pos)
                self.passing -= take
                super().data_received(data[pos : pos + take] if take < end else data)
                pos += take
                if protocol.state is not _OPEN:  # closing or failed: websockets' alone
                    self.parsing = False
                    if pos < end:
                        super().data_received(data[pos:])
                    return
                continue
            avail = end - pos
            if avail < 2:
                break
            first = data[pos]
            second = data[pos + 1]
            length = second & 0x7F
            head = 2
            if length >= 126:
                head = 4 if length == 126 else 10
                if avail < head:
                    break
                length = int.from_bytes(data[pos + 2 : pos + head], "big")
            if (
                (first == 0x81 or first == 0x82)  # final text / binary, no reserved bits
                and not second & 0x80  # not masked (a server's frame must not be)
                and length <= self.small
                and not self.queued
                and protocol.current_size is None
            ):
                if avail < head + length:
                    break  # the rest comes with the next read
                payload = data[pos + head : pos + head + length]
                if first == 0x81:
                    try:
                        message: str | bytes = str(payload, "utf-8")
                    except UnicodeDecodeError:  # websockets fails the connection (1007)
                        self.passing = head + length
                        continue
                else:
                    message = payload
                pos += head + length
                try:
                    self.sink(message)  # type: ignore[misc]
                except Exception:  # pragma: no cover - the sink never raises
                    logger.exception("delivering a WebSocket message failed")
            else:
                self.passing = head + (4 if second & 0x80 else 0) + length
        if pos < end:
            self.held = data[pos:]

    def process_event(self, event: Any) -> None:
        sink = self.sink
        if (
            sink is not None
            and type(event) is Frame
            and event.fin
            and (event.opcode is _TEXT or event.opcode is _BINARY)
            and not self.queued
        ):
            data: str | bytes
            if event.opcode is _TEXT:
                try:
                    data = str(event.data, "utf-8")
                except UnicodeDecodeError:
                    super().process_event(event)
                    return
            else:
                data = bytes(event.data)
            try:
                sink(data)
            except Exception:  # pragma: no cover - the sink never raises
                logger.exception("delivering a WebSocket message failed")
            return
        super().process_event(event)


@JanusTransport._register_builtin
class JanusTransportWebsocket(JanusTransport):
    """Janus over one WebSocket (``ws://`` or ``wss://``).

    All sessions on the transport share the socket and its single reader task.

    Args:
        base_url: ``ws://host:8188`` or ``wss://host:8989``.
        api_secret: Default ``apisecret`` for its sessions.
        token: Default ``token`` for its sessions.
        timeouts: Deadlines; see `Timeouts`.
        ssl: TLS context for ``wss://``.
        subprotocol: The WebSocket subprotocol (``janus-admin-protocol`` for admin).
        max_size: Largest incoming message accepted, in bytes.
        ping_interval: Seconds between WebSocket pings that detect a dead line; a
            ping unanswered for as long aborts the connection, so a dead line is
            noticed within twice this. Default: the keepalive interval.
        reconnect: Reconnect and reclaim sessions after a drop (`ReconnectPolicy`).
        logger: The logger websockets writes its records to (frames at DEBUG).
            Default: a `janus_client.logs.RedactingLoggerAdapter` on
            ``websockets.client``, so frames are logged without secrets or SDP.

    Raises:
        ValueError: ``max_size`` or ``ping_interval`` is not positive, or ``ssl``
            is given for a ``ws://`` URL (which never uses TLS).
    """

    schemes = ("ws", "wss")

    def __init__(
        self,
        base_url: str,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
        subprotocol: str = "janus-protocol",
        max_size: int = 16 * 2**20,
        ping_interval: float | None = None,
        reconnect: ReconnectPolicy | None = None,
        logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
    ) -> None:
        super().__init__(
            base_url, api_secret, token, timeouts=timeouts, ssl=ssl, reconnect=reconnect
        )
        if not isinstance(subprotocol, str) or not subprotocol:
            raise ValueError(f"subprotocol must be a non-empty string, got {subprotocol!r}")
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
            raise ValueError(f"max_size must be a positive number of bytes, got {max_size!r}")
        if ping_interval is not None:
            ping_interval = resolve_timeout(ping_interval, 0.0)  # positive and finite
        if logger is not None and not isinstance(logger, (logging.Logger, logging.LoggerAdapter)):
            raise TypeError(f"logger must be a logging.Logger or LoggerAdapter, got {logger!r}")
        self.subprotocol = subprotocol
        self.max_size = max_size
        self.ping_interval = ping_interval if ping_interval is not None else self.timeouts.keepalive
        self.logger = logger if logger is not None else RedactingLoggerAdapter()
        self._ws: ClientConnection | None = None
        self._abort_reason: BaseException | None = None
        self._reader: asyncio.Task[None] | None = None
        # A subclass that overrides `_send` (0.9.x transports do) gets every request.
        self._direct_send = type(self)._send is JanusTransportWebsocket._send

    def _send_now(self, message: dict[str, Any]) -> bool:
        ws = self._ws
        if ws is None or not self._connected or not isinstance(ws, _Connection):
            return False
        try:
            return ws.send_now(message)
        except _WriteFailed as exc:
            raise ConnectionClosedError(
                f"WebSocket to {self.base_url} failed while sending: {exc}", url=self.base_url
            ) from None

    async def _open(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.ssl is not None and urlsplit(self.base_url).scheme.lower() == "wss":
            kwargs["ssl"] = self.ssl
        try:
            self._ws = await ws_connect(
                self._dial_url,
                subprotocols=[websockets.Subprotocol(self.subprotocol)],
                open_timeout=self.timeouts.connect,
                close_timeout=self.timeouts.close,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_interval,
                max_size=self.max_size,
                max_queue=None,
                compression=None,
                proxy=None,
                logger=self.logger,
                create_connection=_Connection if _FAST_PATH else ClientConnection,
                **kwargs,
            )
        except (
            OSError,
            TimeoutError,
            asyncio.TimeoutError,
            websockets.InvalidHandshake,
            websockets.InvalidURI,
        ) as exc:
            raise ConnectError(
                f"could not connect to {self.base_url}: {exc or type(exc).__name__}",
                url=self.base_url,
            ) from exc
        if isinstance(self._ws, _Connection):
            if not self._ws.deliver_to(self._receive):
                logger.debug("this websockets release: every message is read by the reader task")
            elif _READ_FRAMES:
                self._ws.reads_frames()
            if self._direct_send and not self._ws.writes_directly():
                logger.debug("this websockets release: every request is sent by its send()")
        self._reader = asyncio.get_running_loop().create_task(
            self._read_loop(self._ws), name=f"janus-ws-reader-{self.base_url}"
        )

    async def _read_loop(self, ws: ClientConnection) -> None:
        reason = "the server closed the connection"
        try:
            async for frame in ws:
                self._receive(frame)
        except websockets.ConnectionClosed as exc:
            reason = f"connection closed ({exc})"
        except OSError as exc:  # pragma: no cover - surfaced as ConnectionClosed normally
            reason = f"connection error ({exc})"
        else:
            if ws.close_code is not None:
                reason = f"connection closed by the server (code {ws.close_code})"
        if self._abort_reason is not None:
            reason = f"aborted: {self._abort_reason}"
            self._abort_reason = None
        self._connection_failed(
            ConnectionClosedError(f"WebSocket to {self.base_url}: {reason}", url=self.base_url)
        )

    async def _send(self, message: dict[str, Any]) -> None:
        ws = self._ws
        if ws is None or not self._connected:
            raise ConnectionClosedError(
                f"WebSocket to {self.base_url} is not connected", url=self.base_url
            )
        try:
            await ws.send(encode(message))
        except websockets.ConnectionClosed as exc:
            raise ConnectionClosedError(
                f"WebSocket to {self.base_url} closed while sending: {exc}", url=self.base_url
            ) from None

    async def _send_raw(self, data: str | bytes) -> None:
        ws = self._ws
        if ws is None or not self._connected:
            raise ConnectionClosedError(
                f"WebSocket to {self.base_url} is not connected", url=self.base_url
            )
        try:
            await ws.send(data)
        except websockets.ConnectionClosed as exc:
            raise ConnectionClosedError(
                f"WebSocket to {self.base_url} closed while sending: {exc}", url=self.base_url
            ) from None

    def _abort_dead_connection(self, exc: BaseException) -> bool:
        ws = self._ws
        if ws is None or not self._connected:
            return False
        logger.warning("aborting the connection to %s: %s", self.base_url, exc)
        self._abort_reason = exc
        ws.transport.abort()  # the reader sees the drop and reports it
        return True

    async def _close_connection(self) -> None:
        ws, self._ws = self._ws, None
        reader, self._reader = self._reader, None
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(), self.timeouts.close)
            except (asyncio.TimeoutError, OSError, websockets.WebSocketException):
                logger.debug("closing WebSocket to %s failed", self.base_url, exc_info=True)
            finally:
                # When the server closes first, Python 3.10's TLS transport is never
                # marked closed (a ResourceWarning at garbage collection): close it.
                ws.transport.close()
        if reader is not None and reader is not asyncio.current_task():
            await cancel_and_wait(reader)

    # ------------------------------------------------------------ 0.9.x API
    @property
    def ws(self) -> ClientConnection | None:
        """The `websockets` connection while connected, else None (0.9.x attribute)."""
        return self._ws

    @property
    def receive_message_task(self) -> asyncio.Task[None] | None:
        """The reader task while connected, else None (0.9.x attribute)."""
        return self._reader

    @property
    def receive_message_task_started(self) -> asyncio.Event:
        """An event that is set when the reader runs (0.9.x attribute; a new one each time)."""
        event = asyncio.Event()
        if self.receiving_message:
            event.set()
        return event

    @property
    def receiving_message(self) -> bool:
        """Whether the reader is running (0.9.x attribute)."""
        return self._reader is not None and not self._reader.done()

    async def receive_message(self) -> None:
        """Wait until the reader stops, that is until the connection ends (0.9.x API).

        The transport starts its reader when it connects; 0.9.x ran this method as
        that reader task. Returns at once when not connected.
        """
        reader = self._reader
        if reader is not None and reader is not asyncio.current_task():
            await asyncio.wait({reader})

    def receive_message_done_cb(self, task: asyncio.Task[Any], context: object = None) -> None:
        """Log how a reader task ended (0.9.x done-callback; ``context`` is unused)."""
        if task.cancelled():
            logger.debug("WebSocket reader %s ended (cancelled)", task.get_name())
        elif task.done() and task.exception() is not None:
            logger.warning("WebSocket reader %s failed: %r", task.get_name(), task.exception())
        else:
            logger.debug("WebSocket reader %s ended", task.get_name())
