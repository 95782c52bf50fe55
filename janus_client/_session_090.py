"""The janus-client 0.9.x methods of `JanusSession`, kept apart from the core ones.

`JanusSession` inherits them; new code has equivalents in the session's main API
(`JanusSession.request`, `JanusSession.attach`, `JanusPlugin.destroy`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from . import protocol as _p
from .errors import InvalidStateError, JanusError

if TYPE_CHECKING:
    from .handle import JanusHandle
    from .message_transaction import MessageTransaction
    from .plugins.base import JanusPlugin
    from .protocol import Incoming
    from .session import JanusSession, SessionState
    from .transports.base import JanusTransport

__all__ = ["Session090API"]

logger = logging.getLogger("janus_client")


class Session090API:
    """0.9.x session methods: raw `send`, `on_receive`, `attach_plugin`, ... (a mixin)."""

    if TYPE_CHECKING:  # provided by JanusSession
        _handles: dict[int, JanusHandle]
        _state: SessionState
        transport: JanusTransport
        session_id: int | None

        async def create(self, *, timeout: float | None = None) -> int: ...
        def _require_id(self, what: str, *, closing_ok: bool = False) -> int: ...
        def want_events(self) -> None: ...
        def _stamp(self, msg: dict[str, Any]) -> dict[str, Any]: ...
        def deliver(self, incoming: Incoming) -> None: ...
        def _forget_handle(self, handle: JanusHandle) -> None: ...

    @property
    def plugin_handles(self) -> dict[int, JanusPlugin]:
        """The attached plugin objects by handle id (0.9.x attribute; a copy)."""
        plugins: dict[int, JanusPlugin] = self.__dict__.get("_plugin_objects", {})
        return {hid: p for hid, p in plugins.items() if hid in self._handles}

    def register_plugin(self, handle_id: int, plugin: JanusPlugin) -> None:
        """Record ``plugin`` as the object of handle ``handle_id`` (`plugin_handles`)."""
        plugins: dict[int, JanusPlugin] | None = self.__dict__.get("_plugin_objects")
        if plugins is None:
            self.__dict__["_plugin_objects"] = {handle_id: plugin}
            return
        for hid in [hid for hid in plugins if hid not in self._handles]:
            del plugins[hid]  # stale: its handle went when the session was released
        plugins[handle_id] = plugin

    @property
    def created(self) -> bool:
        """Whether the session exists on the server (0.9.x attribute)."""
        return self._state.value == "active"

    async def send(
        self, message: dict[str, Any], handle_id: int | None = None
    ) -> MessageTransaction:
        """Send a raw Janus message in this session; return its `MessageTransaction` (0.9.x).

        The session is created first if needed; ``session_id`` (a value already in
        the message is replaced), the transaction and the credentials are filled
        in. Every reply with the message's transaction goes to the returned object::

            tx = await session.send({"janus": "keepalive"})
            ack = await tx.get({"janus": "ack"}, timeout=15)
            await tx.done()

        New code uses `request`, which returns the reply and raises typed errors.

        Raises:
            ValueError: ``message`` has no ``janus`` field.
            InvalidStateError: The session is being destroyed or was lost.
        """
        if not isinstance(message, dict) or "janus" not in message:
            raise ValueError('Must set "janus" field in the message (a dict)')
        message.pop("session_id", None)
        await self.create()
        sid = self._require_id(str(message["janus"]))
        self.want_events()
        self._stamp(message)
        return await self.transport.send(message, session_id=sid, handle_id=handle_id)

    async def on_receive(self, response: dict[str, Any]) -> None:
        """Route one raw message of this session to its handle (0.9.x hook).

        Messages with a ``sender`` go to that handle's events (and its plugin's
        `JanusPlugin.on_receive`); others become session events. Bad messages are
        logged and dropped.
        """
        try:
            incoming = _p.classify(response)
        except JanusError as exc:
            logger.warning("session %s: dropping malformed message: %s", self.session_id, exc)
            return
        self.deliver(incoming)

    async def attach_plugin(self, plugin: JanusPlugin) -> int:
        """Attach ``plugin`` and return the handle id (0.9.x API).

        Same as ``await plugin.attach(session)``; the plugin name is read now.

        Raises:
            PluginAttachFail: Janus refused the attach (every code, including 460
                for an unknown plugin).
        """
        if isinstance(plugin, str) or not callable(getattr(plugin, "attach", None)):
            raise TypeError(f"plugin must be a JanusPlugin, got {type(plugin).__name__}")
        if not plugin.attached:
            await plugin.attach(cast("JanusSession", self))
        return plugin.handle.handle_id

    def detach_plugin(self, plugin_handle: JanusPlugin) -> None:
        """Stop routing events to ``plugin_handle`` here, without telling Janus (0.9.x).

        0.9.x plugins call it from ``destroy`` after the ``detach`` request; use
        `JanusPlugin.destroy` to detach on the server too.

        Raises:
            InvalidStateError: The plugin is not attached (``Plugin not properly
                initialized``).
        """
        if not getattr(plugin_handle, "attached", False):
            raise InvalidStateError("Plugin not properly initialized: it is not attached")
        handle = plugin_handle.handle
        self._forget_handle(handle)
        handle.release(InvalidStateError(f"handle {handle.handle_id} was detached"))
