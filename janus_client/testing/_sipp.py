"""`SippProcess`: SIPp (the SIP traffic generator) as a bounded child process.

SIPp plays the SIP peer of the SIP plugin in tests: a registrar and callee
(`registrar_scenario`), or a caller (`caller_scenario`). It runs on loopback on
free ports, writes its traces into a private folder (read back with
`SippProcess.messages`), and is always stopped, killed if needed, and reaped.
Debian installs it with the ``sip-tester`` package (``/usr/bin/sipp``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .._lifecycle import EitherContext
from . import _sipp_scenarios
from ._process import ChildProcess

__all__ = [
    "SippError",
    "SippMessage",
    "SippProcess",
    "caller_scenario",
    "registrar_scenario",
    "sipp_available",
]

logger = logging.getLogger("janus_client.testing")

#: Where SIPp's signalling and media ports are chosen (outside Janus' RTP ranges).
PORT_RANGE = (40000, 44990)

registrar_scenario = _sipp_scenarios.registrar
caller_scenario = _sipp_scenarios.caller

_SEPARATOR = re.compile(rb"^-{10,}.*$", re.MULTILINE)
#: The heading of a message SIPp sent or received, with the message's size in bytes.
_DIRECTION = re.compile(rb"^\w+ message (received|sent) [\[(](\d+)\]? bytes", re.MULTILINE)
_UNEXPECTED = re.compile(rb"^Unexpected \w+ message received:", re.MULTILINE)


class SippError(RuntimeError):
    """SIPp is missing, failed to start, or did not do what a test waited for."""


def sipp_available(binary: str = "sipp") -> bool:
    """Whether the SIPp binary is installed (Debian package ``sip-tester``)."""
    return shutil.which(binary) is not None


@dataclass(frozen=True)
class SippMessage:
    """One SIP message SIPp sent or received, from its message trace.

    Attributes:
        direction: ``"received"`` or ``"sent"``.
        text: The whole message (start line, headers, body).
    """

    direction: str
    text: str

    @property
    def start_line(self) -> str:
        """The request or status line."""
        return self.text.split("\n", 1)[0].strip()

    @property
    def method(self) -> str | None:
        """The request method (``"INVITE"``), or None for a response."""
        first = self.start_line
        return None if first.startswith("SIP/2.0") else first.split(" ", 1)[0]

    @property
    def status(self) -> int | None:
        """The status code of a response, or None for a request."""
        first = self.start_line
        if not first.startswith("SIP/2.0"):
            return None
        try:
            return int(first.split()[1])
        except (IndexError, ValueError):
            return None

    def header(self, name: str) -> str | None:
        """The value of the first header called ``name`` (case-insensitive)."""
        head = self.text.split("\n\n", 1)[0]
        wanted = name.lower()
        for line in head.splitlines()[1:]:
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() == wanted:
                return value.strip()
        return None

    @property
    def body(self) -> str:
        """The message body (an SDP, a SIP INFO payload, ...)."""
        parts = self.text.replace("\r\n", "\n").split("\n\n", 1)
        return parts[1].strip() if len(parts) > 1 else ""


def _udp_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_ports(host: str, count: int) -> int:
    """Return an even port P with P .. P+count-1 free on UDP."""
    low, high = PORT_RANGE
    for _ in range(200):
        base = random.randrange(low, high - count, 2)
        if all(_udp_free(host, base + i) for i in range(count)):
            return base
    raise SippError(f"no {count} free UDP ports in {low}-{high} on {host}")


class SippProcess(ChildProcess, EitherContext):
    """Run one SIPp scenario as a child process on loopback.

    Use it as a (sync or async) context manager; leaving stops SIPp and removes its
    folder:

    ```python
    with SippProcess(registrar_scenario()) as sipp:
        ...  # register to sipp.uri, call f"sip:bob@{sipp.address}"
        register = await sipp.wait_message("REGISTER")
    ```

    Args:
        scenario: The scenario's XML text (see `registrar_scenario`,
            `caller_scenario`).
        remote: ``host:port`` to call (client scenarios), or None for a server.
        service: The user part SIPp calls (``[service]``).
        host: The address SIPp binds (signalling and media).
        rtp_echo: Send every RTP packet back to its sender (``-rtp_echo``).
        calls: Stop after this many calls (``-m``). None: one call for a client
            scenario (``remote`` given; SIPp would otherwise place 10 calls a
            second), no limit for a server.
        timeout: SIPp's own global timeout in seconds (``-timeout``): it never
            outlives a test by more.
        binary: The SIPp executable.
    """

    _closes_with = "close"

    def __init__(
        self,
        scenario: str,
        *,
        remote: str | None = None,
        service: str = "janus",
        host: str = "127.0.0.1",
        rtp_echo: bool = True,
        calls: int | None = None,
        timeout: float = 60.0,
        binary: str = "sipp",
    ) -> None:
        self.scenario = scenario
        self.remote = remote
        self.service = service
        self.host = host
        self.rtp_echo = rtp_echo
        self.calls = calls if calls is not None or remote is None else 1
        self.timeout = timeout
        self.binary = binary
        self.port = 0
        self.media_port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<SippProcess {state} {self.host}:{self.port}>"

    # ------------------------------------------------------------------ state
    @property
    def address(self) -> str:
        """``host:port`` of SIPp's SIP socket."""
        return f"{self.host}:{self.port}"

    @property
    def uri(self) -> str:
        """SIPp's SIP URI without user (``sip:127.0.0.1:40012``): a proxy or registrar."""
        return f"sip:{self.address}"

    @property
    def returncode(self) -> int | None:
        """SIPp's exit status (0: every call succeeded), or None while it runs."""
        return None if self._process is None else self._process.poll()

    @property
    def workdir(self) -> Path:
        """The folder with the scenario file and SIPp's traces."""
        if self._dir is None:
            raise SippError("SIPp was not started")
        return self._dir

    # -------------------------------------------------------------- lifecycle
    def start(self) -> SippProcess:
        """Start SIPp and return once its SIP port is bound.

        Raises:
            SippError: SIPp is not installed, or exited at once (its error log is
                in the message).
        """
        binary = shutil.which(self.binary)
        if binary is None:
            raise SippError(
                f"{self.binary!r} not found: install SIPp (Debian package 'sip-tester')"
            )
        self._dir = Path(tempfile.mkdtemp(prefix="janus-sipp-"))
        (self._dir / "scenario.xml").write_text(self.scenario, encoding="iso-8859-1")
        for _attempt in range(3):
            self.port = _free_ports(self.host, 1)
            self.media_port = _free_ports(self.host, 4)
            if self.media_port <= self.port < self.media_port + 4:
                continue
            if self._spawn(binary):
                return self
        raise SippError(f"SIPp did not start: {self._tail('errors.log') or self._tail('out.txt')}")

    def _spawn(self, binary: str) -> bool:
        assert self._dir is not None
        args = [binary]
        if self.remote is not None:
            args.append(self.remote)
        args += [
            "-sf", "scenario.xml",
            "-i", self.host,
            "-p", str(self.port),
            "-mi", self.host,
            "-mp", str(self.media_port),
            "-s", self.service,
            "-nostdin",
            "-deadcall_wait", "0",
            "-timeout", f"{max(1, int(self.timeout))}s",
            "-trace_msg", "-message_file", "messages.log",
            "-trace_logs", "-log_file", "logs.log",
            "-trace_err", "-error_file", "errors.log",
        ]  # fmt: skip
        if self.rtp_echo:
            args.append("-rtp_echo")
        if self.calls is not None:
            args += ["-m", str(self.calls)]
        with open(self._dir / "out.txt", "wb") as out:
            self._process = subprocess.Popen(
                args, cwd=self._dir, stdin=subprocess.DEVNULL, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return self.remote is not None and self._process.returncode == 0
            if not _udp_free(self.host, self.port):
                return True
            time.sleep(0.02)
        return True

    def stop(self, timeout: float = 3.0) -> int | None:
        """Stop SIPp (SIGTERM, then SIGKILL), reap it; idempotent. Returns its status."""
        proc = self._process
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        return proc.returncode

    def close(self) -> None:
        """Stop SIPp and remove its folder."""
        try:
            self.stop()
        finally:
            if self._dir is not None:
                shutil.rmtree(self._dir, ignore_errors=True)
                self._dir = None

    async def wait(self, timeout: float = 20.0) -> int:
        """Wait for SIPp to exit by itself; return its status (0: the calls succeeded).

        Raises:
            SippError: Still running after ``timeout`` seconds (it is then stopped).
        """
        proc = self._process
        if proc is None:
            raise SippError("SIPp was not started")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while proc.poll() is None:
            if loop.time() > deadline:
                self.stop()
                raise SippError(f"SIPp still ran after {timeout:g} s; {self._summary()}")
            await asyncio.sleep(0.05)
        return proc.returncode

    # ---------------------------------------------------------------- traces
    def _tail(self, name: str, lines: int = 15) -> str:
        if self._dir is None:
            return ""
        with contextlib.suppress(OSError):
            text = (self._dir / name).read_text(errors="replace")
            return " | ".join(text.strip().splitlines()[-lines:])
        return ""

    def _summary(self) -> str:
        methods = [m.start_line for m in self.messages()]
        unexpected = [m.start_line for m in self.unexpected()]
        return (
            f"messages: {methods[-12:]}; unexpected: {unexpected[-4:]}; "
            f"errors: {self._tail('errors.log', 5)}"
        )

    def _trace(self, kind: re.Pattern[bytes]) -> list[tuple[re.Match[bytes], str]]:
        """The ``(heading, message)`` blocks of SIPp's message trace headed by ``kind``.

        SIPp writes the trace through a buffer, so the file may end in the middle
        of a message: one shorter than the size in its heading is left out (a
        later read has it whole).
        """
        if self._dir is None:
            return []
        try:
            data = (self._dir / "messages.log").read_bytes()
        except OSError:
            return []
        found: list[tuple[re.Match[bytes], str]] = []
        for block in _SEPARATOR.split(data):
            match = kind.search(block)
            if match is None:
                continue
            rest = block[match.end() :].split(b"\n", 1)
            raw = rest[1].lstrip(b"\r\n") if len(rest) > 1 else b""
            if kind.groups >= 2 and len(raw) < int(match.group(2)):
                break  # still being written: the last block
            text = raw.decode(errors="replace").replace("\r\n", "\n").strip()
            if text:
                found.append((match, text))
        return found

    def messages(self) -> list[SippMessage]:
        """Every SIP message SIPp sent or received so far, in order."""
        return [
            SippMessage(head.group(1).decode(), text) for head, text in self._trace(_DIRECTION)
        ]

    def unexpected(self) -> list[SippMessage]:
        """The messages SIPp received where its scenario expected none of their kind.

        SIPp drops the call of such a message without answering it (nor what
        follows in that dialog): a test that sees one has a scenario that does
        not fit what the peer sent.
        """
        return [SippMessage("received", text) for _head, text in self._trace(_UNEXPECTED)]

    def received(self, method: str | None = None) -> list[SippMessage]:
        """The requests SIPp received (of ``method`` only, if given)."""
        return [
            m
            for m in self.messages()
            if m.direction == "received"
            and m.method is not None
            and (method is None or m.method == method)
        ]

    async def wait_message(
        self, method: str, *, count: int = 1, contains: str | None = None, timeout: float = 10.0
    ) -> SippMessage:
        """Wait until SIPp has received ``count`` ``method`` requests (containing a text).

        Returns:
            The ``count``-th such request.

        Raises:
            SippError: Not received within ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            seen = [m for m in self.received(method) if contains is None or contains in m.text]
            if len(seen) >= count:
                return seen[count - 1]
            if loop.time() > deadline:
                raise SippError(
                    f"SIPp got no {method} #{count} within {timeout:g} s; {self._summary()}"
                )
            await asyncio.sleep(0.05)

    def contact(self) -> tuple[str, int] | None:
        """The host and port of the Contact of the last REGISTER received (registrar)."""
        if self._dir is None:
            return None
        try:
            text = (self._dir / "logs.log").read_text(errors="replace")
        except OSError:
            return None
        found = re.findall(r"CONTACT ([0-9.]+) ([0-9]+)", text)
        if not found:
            return None
        host, port = found[-1]
        return host, int(port)

    async def wait_contact(self, timeout: float = 10.0) -> str:
        """Wait for a REGISTER; return its Contact as ``host:port`` (where to call it).

        Raises:
            SippError: No REGISTER within ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (found := self.contact()) is None:
            if loop.time() > deadline:
                raise SippError(f"SIPp got no REGISTER within {timeout:g} s; {self._summary()}")
            await asyncio.sleep(0.05)
        return f"{found[0]}:{found[1]}"
