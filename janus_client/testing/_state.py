"""What `JanusServer.__init__` sets, declared once for the parts it is made of.

Private to `janus_client.testing`. `ConfigWriter`, `Endpoints` and `ProcessControl`
each use some of these settings and of each other's methods; `ServerState` lets
the type checker see them, and adds nothing at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["ServerState"]

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path
    from typing import IO

    from janus_client.testing._network import IceAddressLease


class ServerState:
    """The attributes and cross-part methods of a `JanusServer` (for type checking)."""

    if TYPE_CHECKING:
        # The arguments, checked by JanusServer.__init__.
        _binary: str
        _lib_dir: Path | None
        _host: str
        _fixed_ports: dict[str, int]
        _wanted_ice_address: str | None
        _require_ice: bool
        _debug_level: int
        _session_timeout: int
        _reclaim_session_timeout: int
        _admin_secret: str
        _api_secret: str | None
        _token_auth: bool
        _token_auth_secret: str | None
        _extra_general: dict[str, object]
        _only_plugins: frozenset[str] | None
        _enabled_plugins: frozenset[str]
        _plugin_configs: dict[str, dict[str, dict[str, object]]]
        _tls: tuple[str, str] | None
        _unix_sockets: bool
        _unix_socket_type: str
        _mqtt_broker: tuple[str, int] | None
        _mqtt_version: str
        _rabbitmq: tuple[str, int] | None
        _rabbitmq_broker: str | None
        _broker_tag: str
        # The state of a run.
        _ice_address: str | None
        _ice_lease: IceAddressLease | None
        _workdir: Path | None
        _temp_workdir: bool
        _ports: dict[str, int] | None
        _process: subprocess.Popen[bytes] | None
        _stdout: IO[bytes] | None
        _paused: bool
        _log_offset: int

        @property
        def workdir(self) -> Path: ...
        @property
        def config_dir(self) -> Path: ...
        @property
        def recordings_dir(self) -> Path: ...
        @property
        def log_path(self) -> Path: ...
        @property
        def output_path(self) -> Path: ...
        @property
        def http_url(self) -> str: ...
        @property
        def ws_url(self) -> str: ...
        @property
        def running(self) -> bool: ...
        @property
        def pid(self) -> int | None: ...
        def _need_workdir(self) -> Path: ...
        def _need_ports(self) -> dict[str, int]: ...
        def _choose_ports(self) -> dict[str, int]: ...
        def _topic(self, name: str) -> str: ...
        def _resolve_binary(self) -> str: ...
        def _write_configs(self) -> None: ...
