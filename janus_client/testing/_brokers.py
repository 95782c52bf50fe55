"""Throw-away message brokers (mosquitto, RabbitMQ) on loopback, for tests.

Both brokers run as foreground child processes of the test process, bound to
``127.0.0.1`` on free TCP ports, with every file they write in a temporary
directory that is removed when they stop. Nothing is read from ``/etc``, and
the system services (if any) are never used.

The pytest fixtures ``mosquitto_broker`` and ``rabbitmq_broker`` (in
``janus_client.testing.pytest_plugin``) start one broker
per test session (RabbitMQ needs about 4 s to start) and are shared by every
test that uses MQTT or AMQP: Janus' MQTT/RabbitMQ event handlers and, later,
its MQTT/RabbitMQ transports.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from janus_client._lifecycle import SyncContext
from janus_client.testing._process import tcp_accepts

__all__ = ["BrokerError", "MosquittoBroker", "RabbitMQBroker", "free_ports"]

logger = logging.getLogger("janus_client.testing")

_RABBITMQ_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server"
_POLL = 0.05

_LIVE: set[_Broker] = set()


@atexit.register
def _stop_leftovers() -> None:
    """Never leave a broker running when the interpreter exits."""
    for broker in list(_LIVE):
        with contextlib.suppress(Exception):
            broker.stop()


class BrokerError(RuntimeError):
    """Raised when a test broker cannot be found or started."""


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Return ``count`` distinct TCP ports that are free on ``host`` right now.

    Args:
        count: How many ports.
        host: The address to probe.

    Returns:
        The port numbers.

    """
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


class _Broker(SyncContext):
    """Shared life cycle: a temp dir, child processes, readiness by TCP port."""

    name = "broker"
    #: Seconds `start` waits for the broker's port by default.
    start_timeout = 30.0
    #: What `start` says when the broker is not installed.
    _missing = "the broker is not installed"

    def __init__(self, host: str = "127.0.0.1") -> None:
        if not host.startswith("127."):
            raise ValueError(f"test brokers bind to loopback only, not {host!r}")
        self.host = host
        self._dir: Path | None = None
        self._procs: list[subprocess.Popen[bytes]] = []
        self._outputs: list[IO[bytes]] = []
        self._port: int | None = None

    @property
    def port(self) -> int:
        """The broker's client port (MQTT or AMQP)."""
        if self._port is None:
            raise BrokerError(f"the {self.name} broker has not been started")
        return self._port

    @property
    def workdir(self) -> Path:
        """The temporary directory holding the broker's files."""
        if self._dir is None:
            raise BrokerError(f"the {self.name} broker has not been started")
        return self._dir

    @property
    def running(self) -> bool:
        """Whether the broker's processes are alive."""
        return bool(self._procs) and all(p.poll() is None for p in self._procs)

    def _spawn(self, argv: list[str], env: dict[str, str] | None, label: str) -> None:
        out = open(self.workdir / f"{label}.out", "wb")  # noqa: SIM115 - closed in stop()
        self._outputs.append(out)
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.workdir,
            start_new_session=True,
        )
        self._procs.append(proc)

    def _wait_port(self, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self._procs):
                break
            if tcp_accepts(self.host, port):
                return
            time.sleep(_POLL)
        tail = self.read_output()[-2000:]
        self.stop()
        raise BrokerError(f"{self.name} did not accept connections on port {port}:\n{tail}")

    def read_output(self) -> str:
        """Return what the broker processes printed so far (for failure messages)."""
        if self._dir is None:
            return ""
        parts = []
        for path in sorted(self._dir.glob("*.out")):
            with contextlib.suppress(OSError):
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def _find(self) -> str | None:  # pragma: no cover - overridden
        """The broker's program, or None when it is not installed."""
        raise NotImplementedError

    def _launch(self, program: str, timeout: float) -> int:  # pragma: no cover - overridden
        """Write the configuration, start the processes, wait; return the client port."""
        raise NotImplementedError

    def start(self, timeout: float | None = None) -> None:
        """Start the broker in the foreground and wait until its port accepts connections.

        Args:
            timeout: Seconds to wait for the port (default `start_timeout`).

        Raises:
            BrokerError: If the broker is not installed or does not start.

        """
        if self._procs:
            return
        program = self._find()
        if program is None:
            raise BrokerError(self._missing)
        self._dir = Path(tempfile.mkdtemp(prefix=f"janus-client-{self.name}-"))
        _LIVE.add(self)
        port = self._launch(program, self.start_timeout if timeout is None else timeout)
        self._port = port
        logger.info("%s started on %s:%d", self.name, self.host, port)

    def restart(self, timeout: float | None = None) -> None:
        """Stop the broker and start it again on the same port(s); clients are cut.

        A RabbitMQ broker starts empty (queues and exchanges are gone).

        Args:
            timeout: Seconds to wait for the port (default `start_timeout`).

        """
        self.stop()
        self.start(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every process (SIGTERM, then SIGKILL) and remove the directory.

        Safe to call several times.

        Args:
            timeout: Seconds to wait for each process group to exit.

        """
        for proc in reversed(self._procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            # Children of a shell script (beam.smp) may outlive it briefly.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        self._procs.clear()
        for out in self._outputs:
            out.close()
        self._outputs.clear()
        _LIVE.discard(self)
        self._port = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __repr__(self) -> str:
        state = f"port={self._port}" if self._port is not None else "stopped"
        return f"<{type(self).__name__} {self.host} {state}>"


class MosquittoBroker(_Broker):
    """A mosquitto MQTT broker (anonymous, no persistence) on a free loopback port.

    Example:
        ::

            with MosquittoBroker() as broker:
                url = broker.url  # "mqtt://127.0.0.1:<port>"

    Args:
        host: The loopback address to listen on.
        port: The port (0: a free one, chosen at the first start and kept by
            `restart`).
        binary: The mosquitto executable.

    """

    name = "mosquitto"
    start_timeout = 15.0
    _missing = "mosquitto not found (Debian: apt-get install mosquitto)"

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, binary: str = "mosquitto"
    ) -> None:
        super().__init__(host)
        self._binary = binary
        self._fixed_port = port

    @staticmethod
    def find_binary(binary: str = "mosquitto") -> str | None:
        """Locate mosquitto (``/usr/sbin`` is often not on a user's ``PATH``).

        Args:
            binary: Name or path.

        Returns:
            The path, or None.

        """
        return shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/local/sbin")

    @property
    def url(self) -> str:
        """``mqtt://host:port`` of the broker."""
        return f"mqtt://{self.host}:{self.port}"

    @property
    def janus_url(self) -> str:
        """The ``tcp://host:port`` form Janus' MQTT modules expect."""
        return f"tcp://{self.host}:{self.port}"

    def _find(self) -> str | None:
        return self.find_binary(self._binary)

    def _launch(self, program: str, timeout: float) -> int:
        port = self._fixed_port or free_ports(1, self.host)[0]
        self._fixed_port = port
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {port} {self.host}\n"
            "allow_anonymous true\n"
            "persistence false\n"
            "log_dest stderr\n"
            "set_tcp_nodelay true\n"
        )
        os.chmod(self.workdir, 0o755)  # mosquitto drops to its own user when run as root
        self._spawn([program, "-c", str(conf)], None, "mosquitto")
        self._wait_port(port, timeout)
        return port


class RabbitMQBroker(_Broker):
    """A RabbitMQ broker (user guest/guest, loopback only) with its own epmd.

    Runs ``/usr/lib/rabbitmq/bin/rabbitmq-server`` directly (not the Debian
    wrapper, which switches user and directory) with every path, port and the
    Erlang cookie under a temporary directory. Starting takes about 4 s.

    Args:
        host: The loopback address to listen on.
        script: The ``rabbitmq-server`` script.

    """

    name = "rabbitmq"
    start_timeout = 40.0
    _missing = "rabbitmq-server/epmd not found (Debian: apt-get install rabbitmq-server)"

    def __init__(self, host: str = "127.0.0.1", *, script: str = _RABBITMQ_SCRIPT) -> None:
        super().__init__(host)
        self._script = script
        self._kept_ports: tuple[int, int, int] | None = None

    @staticmethod
    def find_binary(script: str = _RABBITMQ_SCRIPT) -> str | None:
        """Locate the broker script and epmd.

        Args:
            script: The ``rabbitmq-server`` script.

        Returns:
            The script path, or None if it or ``epmd`` is missing.

        """
        if not os.access(script, os.X_OK) or shutil.which("epmd") is None:
            return None
        return script

    @property
    def url(self) -> str:
        """``amqp://guest:guest@host:port/`` of the broker."""
        return f"amqp://guest:guest@{self.host}:{self.port}/"

    def _find(self) -> str | None:
        return self.find_binary(self._script)

    def _launch(self, program: str, timeout: float) -> int:
        base = self.workdir
        amqp, dist, epmd_port = self._kept_ports or tuple(free_ports(3, self.host))
        self._kept_ports = (amqp, dist, epmd_port)
        node = f"jc{os.getpid()}x{amqp}@localhost"
        (base / "rabbitmq-env.conf").write_text("")
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = {self.host}:{amqp}\nloopback_users.guest = true\n"
        )
        octets = "{" + ",".join(self.host.split(".")) + "}"
        env = {
            "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(base),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_NODENAME": node,
            "RABBITMQ_NODE_IP_ADDRESS": self.host,
            "RABBITMQ_NODE_PORT": str(amqp),
            "RABBITMQ_DIST_PORT": str(dist),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
            "ERL_EPMD_PORT": str(epmd_port),
            "ERL_EPMD_ADDRESS": self.host,
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": f"-kernel inet_dist_use_interface {octets}",
        }
        epmd = shutil.which("epmd") or "epmd"
        self._spawn([epmd, "-port", str(epmd_port), "-address", self.host], env, "epmd")
        self._wait_port(epmd_port, 10.0)
        self._spawn([program], env, "rabbitmq")
        self._wait_port(amqp, timeout)
        return amqp
