"""The Janus child process of `JanusServer`: start (until ready), stop, pause, its log.

Private to `janus_client.testing`; `JanusServer` is the public face.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import NoReturn

from janus_client.testing._network import (
    acquire_ice_address,
    address_is_assigned,
    ice_address_instructions,
)
from janus_client.testing._state import ServerState

logger = logging.getLogger("janus_client.testing")

START_ATTEMPTS = 3
LOG_TAIL_LINES = 40
#: Seconds between two looks while waiting for Janus to be ready.
POLL_INTERVAL = 0.02


class JanusServerError(RuntimeError):
    """Raised when the test Janus cannot be configured, started or queried."""


class PortClashError(JanusServerError):
    """A start attempt failed because one of the chosen ports was taken."""


def tcp_accepts(host: str, port: int) -> bool:
    """Tell whether a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def port_free(host: str, port: int) -> bool:
    """Tell whether nobody listens on ``host:port`` (TIME_WAIT leftovers do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def listening_ports(pid: int) -> set[int] | None:
    """Return the TCP ports a process listens on, from ``/proc`` (None if unavailable)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    inodes: set[str] = set()
    try:
        for fd in fd_dir.iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    except OSError:
        return None
    ports: set[int] = set()
    for table in ("tcp", "tcp6"):
        try:
            rows = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == "0A" and fields[9] in inodes:  # 0A = LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


_fallback_announced = False


def announce_ice_fallback(address: str) -> None:
    """Log, once per process, that Janus gathers ICE candidates without restriction."""
    global _fallback_announced
    if _fallback_announced:
        return
    _fallback_announced = True
    logger.warning(
        "ICE address %s is missing and creating it needs root: Janus gathers ICE "
        "candidates on every interface instead (media may leave loopback); to keep "
        "it on loopback, %s",
        address,
        ice_address_instructions(address),
    )


# Strong references: a started server is never garbage-collected with Janus still running.
LIVE_SERVERS: set[ProcessControl] = set()


@atexit.register
def _stop_leftover_servers() -> None:
    """Do not leave Janus processes behind when the interpreter exits."""
    for server in list(LIVE_SERVERS):
        with contextlib.suppress(Exception):
            server.stop(timeout=2.0)


class ChildProcess:
    """Mix-in for an object that runs one child process, kept in ``_process``."""

    _process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        """Whether the child process exists and has not exited (a paused one too)."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs, else None."""
        return self._process.pid if self.running and self._process is not None else None


class ProcessControl(ChildProcess, ServerState):
    """Starting, stopping, pausing and killing the Janus process (`JanusServer` is one)."""

    def _provide_ice_address(self) -> None:
        """Create the wanted ICE address if needed and possible, or fall back."""
        wanted = self._wanted_ice_address
        self._ice_address = wanted
        if wanted is None or self._ice_lease is not None:
            return
        if address_is_assigned(wanted) is None:  # no ip tool: cannot tell, use as given
            return
        lease = acquire_ice_address(wanted)
        if lease.address is not None:
            self._ice_lease = lease
            return
        if self._require_ice:
            raise JanusServerError(
                f"ICE address {wanted} is not assigned to any interface and creating it "
                f"needs root: {ice_address_instructions(wanted)}; or pass ice_address=None"
            )
        announce_ice_fallback(wanted)
        self._ice_address = None

    def _release_ice_address(self) -> None:
        lease, self._ice_lease = self._ice_lease, None
        if lease is not None:
            lease.release()

    def start(self, timeout: float = 10.0) -> None:
        """Start Janus and wait until all its TCP listeners answer.

        The first start picks free ports; later starts (after :meth:`kill`
        or via :meth:`restart`) reuse them. A start that fails because a
        port was taken meanwhile is retried with new ports (3 attempts).

        Args:
            timeout: Seconds to wait for each attempt.

        Raises:
            JanusServerError: If Janus is already running, exits, or does not
                answer in time; the message carries the tail of its log.

        """
        if self.running:
            raise JanusServerError(f"Janus is already running (pid {self.pid})")
        binary = self._resolve_binary()
        for path in self._tls or ():
            if not os.access(path, os.R_OK):
                raise JanusServerError(f"TLS file {path!r} does not exist or is not readable")
        fixed_ports = self._ports is not None
        if not fixed_ports and self._fixed_ports:
            busy = sorted(
                f"{name} {port}"
                for name, port in self._fixed_ports.items()
                if not port_free(self._host, port)
            )
            if busy:
                raise JanusServerError(
                    f"port(s) already in use on {self._host}: {', '.join(busy)} "
                    "(another Janus? choose other ports, or 0 for a free one)"
                )
        self._provide_ice_address()
        LIVE_SERVERS.add(self)  # the ICE address is released at exit at the latest
        try:
            self._start_attempts(binary, timeout, fixed_ports)
        except BaseException:
            if not self.running:
                self._release_ice_address()
            raise

    def _start_attempts(self, binary: str, timeout: float, fixed_ports: bool) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            if not fixed_ports:
                self._ports = self._choose_ports()
            try:
                self._start_once(binary, timeout)
                return
            except PortClashError as exc:
                logger.warning(
                    "Janus start attempt %d/%d: %s",
                    attempt,
                    START_ATTEMPTS,
                    str(exc).splitlines()[0],
                )
                if attempt == START_ATTEMPTS:
                    if not fixed_ports:
                        self._ports = None
                    raise JanusServerError(str(exc)) from None
                if fixed_ports:  # e.g. restart(): wait for the other process to let go
                    time.sleep(0.2 * attempt)
            except BaseException:
                if not fixed_ports:
                    self._ports = None
                raise

    def _start_once(self, binary: str, timeout: float) -> None:
        self._write_configs()
        ports = self._need_ports()
        argv = [
            binary,
            "-F",
            str(self.config_dir),
            "-C",
            str(self.config_dir / "janus.jcfg"),
            "-L",
            str(self.log_path),
            "-N",
        ]
        try:
            self._log_offset = self.log_path.stat().st_size  # Janus appends to its log
        except FileNotFoundError:
            self._log_offset = 0
        self._close_output()
        self._stdout = open(self.output_path, "ab")  # noqa: SIM115 - closed in _close_output()
        logger.debug("starting %s", " ".join(argv))
        started = time.monotonic()
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=subprocess.STDOUT,
            cwd=self.recordings_dir,
        )
        self._paused = False
        LIVE_SERVERS.add(self)
        try:
            self._wait_ready(ports, started + timeout)
        except BaseException:
            self._terminate(timeout=2.0)
            raise
        logger.info(
            "Janus pid %d ready in %.0f ms: %s %s (log %s)",
            self._process.pid,
            (time.monotonic() - started) * 1000,
            self.http_url,
            self.ws_url,
            self.log_path,
        )

    def _new_log(self) -> str:
        """Return what Janus logged since the current start."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._log_offset)
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def _fail(self, message: str, ports: dict[str, int]) -> NoReturn:
        """Stop the half-started process and raise with the end of its log."""
        self._terminate(timeout=2.0)
        lines = self._new_log().splitlines()
        with contextlib.suppress(OSError):
            out = self.output_path.read_text(errors="replace").strip()
            if out:
                lines += ["--- stdout/stderr ---", *out.splitlines()]
        tail = "\n".join(lines[-LOG_TAIL_LINES:])
        busy = sorted(name for name, port in ports.items() if not port_free(self._host, port))
        if busy:
            raise PortClashError(f"{message}; port(s) in use by another process: {busy}\n{tail}")
        raise JanusServerError(f"{message}; log tail:\n{tail}")

    def _close_output(self) -> None:
        if self._stdout is not None:
            self._stdout.close()
            self._stdout = None

    def _terminate(self, timeout: float | None) -> None:
        """Stop the process without touching the work directory.

        SIGTERM, then SIGKILL after ``timeout`` seconds; with None, SIGKILL at once.
        """
        process = self._process
        if process is not None:
            if timeout is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
                    process.send_signal(signal.SIGCONT)  # a paused Janus cannot handle SIGTERM
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    logger.warning("Janus pid %d ignored SIGTERM; killing it", process.pid)
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            process.wait()
            self._process = None
        self._paused = False
        self._close_output()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop Janus and clean up; safe to call several times.

        Sends SIGTERM, waits up to ``timeout`` seconds, then SIGKILL. A
        temporary work directory is removed; a user-given one is kept. A
        later :meth:`start` picks new ports (and a new temporary directory).

        Args:
            timeout: Seconds to wait for a clean exit before SIGKILL.

        """
        self._terminate(timeout)
        self._release_ice_address()
        LIVE_SERVERS.discard(self)
        self._ports = None
        if self._workdir is not None and self._temp_workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def kill(self) -> None:
        """Kill Janus with SIGKILL right now and wait for it (for crash tests).

        Ports and work directory are kept: :meth:`start` brings the server
        back on the same ports.
        """
        self._terminate(None)

    def restart(self, timeout: float = 10.0) -> None:
        """Stop Janus and start a new process on the same ports.

        All sessions are lost; clients must reconnect.

        Args:
            timeout: Seconds to wait for the new process to answer.

        """
        self._terminate(timeout=5.0)
        self.start(timeout=timeout)

    def pause(self) -> None:
        """Freeze Janus with SIGSTOP: connections stay open but nothing answers.

        Raises:
            JanusServerError: If Janus is not running.

        """
        self._freeze(True)

    def resume(self) -> None:
        """Continue a Janus frozen by :meth:`pause` (SIGCONT).

        Raises:
            JanusServerError: If Janus is not running.

        """
        self._freeze(False)

    @property
    def paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return self._paused and self.running

    def _freeze(self, stopped: bool) -> None:
        """SIGSTOP (or SIGCONT) Janus and wait until every thread is stopped (or runs)."""
        self._signal(signal.SIGSTOP if stopped else signal.SIGCONT)
        self._paused = stopped
        self._wait_stopped(stopped)

    def _wait_stopped(self, stopped: bool, timeout: float = 2.0) -> None:
        """Wait until every thread of Janus is (or is no longer) stopped.

        A signal is delivered asynchronously: without this wait, a request sent
        right after `pause` could still be answered by a thread not yet stopped.
        Where ``/proc`` is unreadable, this returns at once.
        """
        process = self._process
        if process is None:
            return
        tasks = Path(f"/proc/{process.pid}/task")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                threads = list(tasks.iterdir())
            except OSError:
                return
            states = []
            for task in threads:
                try:  # "pid (comm) state ...": the state follows the last ")"
                    states.append((task / "stat").read_text().rsplit(")", 1)[1].split()[0])
                except (OSError, IndexError):
                    continue  # a thread that just ended
            if states and all((state in "Tt") == stopped for state in states):
                return
            time.sleep(0.005)

    def _signal(self, signum: signal.Signals) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            raise JanusServerError("Janus is not running")
        process.send_signal(signum)

    def _wait_ready(self, ports: dict[str, int], deadline: float) -> None:
        """Wait until the info request answers and Janus itself listens on every port.

        A TCP connect is not proof enough: when a port is taken by another
        process, Janus logs a ``[FATAL]`` line, keeps running without that
        listener, and the connect reaches the other process. So the check
        looks at the sockets the Janus process owns, and gives up as soon as
        the new part of the log has a ``[FATAL]`` line.
        """
        process = self._process
        assert process is not None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        info_url = self.http_url + "/info"
        wanted = set(ports.values())
        http_ok = False
        while True:
            code = process.poll()
            if code is not None:
                self._fail(f"Janus exited with status {code} during start-up", ports)
            if "[FATAL]" in self._new_log():
                self._fail("Janus reported a fatal error during start-up", ports)
            if not http_ok:
                http_ok = self._info_answers(opener, info_url)
            if http_ok:
                listening = listening_ports(process.pid)
                if listening is None:  # no /proc: fall back to connecting
                    missing = {p for p in wanted if not tcp_accepts(self._host, p)}
                else:
                    missing = wanted - listening
                if not missing:
                    self._wait_mqtt(deadline, ports)
                    return
            else:
                missing = wanted
            if time.monotonic() >= deadline:
                names = sorted(name for name, port in ports.items() if port in missing)
                self._fail(f"Janus did not listen on {', '.join(names)} in time", ports)
            time.sleep(POLL_INTERVAL)

    def _wait_mqtt(self, deadline: float, ports: dict[str, int]) -> None:
        """Wait for the Unix sockets, and until the MQTT transport answers a ``ping``.

        Janus connects to the broker in the background after start-up; a
        request published before it subscribed would be lost.
        """
        if self._unix_sockets:
            sockets = [self.workdir / "janus-api.sock", self.workdir / "janus-admin.sock"]
            # pfunix binds while loading; now and then (about one start in ten
            # here, not understood) the files are missing although Janus lists
            # the transport: such a start is retried like a port clash.
            give_up = min(deadline, time.monotonic() + 3.0)
            while not all(path.is_socket() for path in sockets):
                if time.monotonic() >= give_up:
                    raise PortClashError(
                        "Janus listed pfunix but its Unix sockets did not appear; retrying"
                    )
                time.sleep(POLL_INTERVAL)
        if self._mqtt_broker is None:
            return
        try:
            from paho.mqtt import client as paho
            from paho.mqtt.enums import CallbackAPIVersion
        except ImportError as exc:  # pragma: no cover - the mqtt extra is missing
            raise JanusServerError(
                "mqtt_broker= needs paho-mqtt: pip install 'janus-client[mqtt]'"
            ) from exc
        host, port = self._mqtt_broker
        answered = threading.Event()
        version = paho.MQTTv5 if self._mqtt_version == "5" else paho.MQTTv311
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"janus-testbed-probe-{self._broker_tag}",
            protocol=version,
        )
        client.on_message = lambda *_: answered.set()
        reply = self._topic("from-janus-admin")
        try:
            client.connect(host, port, keepalive=10)
            client.loop_start()
            client.subscribe(reply, qos=0)
            probe = json.dumps({"janus": "ping", "transaction": "testbed-probe"})
            while not answered.wait(0.1):
                if time.monotonic() >= deadline:
                    self._fail("Janus' MQTT transport did not answer in time", ports)
                client.publish(self._topic("to-janus-admin"), probe, qos=0)
        except OSError as exc:
            self._fail(f"cannot reach the MQTT broker {host}:{port}: {exc}", ports)
        finally:
            client.disconnect()
            client.loop_stop()

    @staticmethod
    def _info_answers(opener: urllib.request.OpenerDirector, url: str) -> bool:
        try:
            with opener.open(url, timeout=1.0) as response:
                body = json.loads(response.read())
        except (OSError, ValueError):
            return False
        return isinstance(body, dict) and body.get("janus") == "server_info"
