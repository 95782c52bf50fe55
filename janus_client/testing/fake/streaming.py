"""A fake Streaming plugin for `FakeJanus`: mountpoint management kept in memory.

`FakeStreaming` answers the synchronous Streaming requests (``list``, ``info``,
``create``, ``edit``, ``destroy``, ``enable``, ``disable``, ``recording``,
``kick_all``) of handles attached to ``janus.plugin.streaming``, with Janus 1.1.2's
reply shapes and error codes (453 missing element, 454 invalid element, 455 no
such mountpoint, 456 cannot create, 457 unauthorized). Other requests and other
plugins keep the fake's default behaviour. For unit tests of code that manages
mountpoints, without Janus or GStreamer:

```python
async with FakeJanus() as fake:
    streaming = FakeStreaming()
    streaming.install(fake)
    async with JanusSession(fake.ws_url) as session:
        plugin = await session.attach(JanusStreamingPlugin())
        created = await plugin.create_mountpoint(media=[RtpMedia("data", "d1")])
        assert streaming.mountpoints[created.id]["media"][0]["mid"] == "d1"
```
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._model import FakeRequest

if TYPE_CHECKING:
    from .server import FakeJanus

__all__ = ["FakeStreaming"]

_PLUGIN = "janus.plugin.streaming"
_SYNC = ("list", "info", "create", "edit", "destroy", "enable", "disable", "recording", "kick_all")


class _Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class FakeStreaming:
    """In-memory mountpoints behind the Streaming plugin's management requests.

    Args:
        first_port: The first UDP port handed out for ``port: 0`` streams.

    Attributes:
        mountpoints: The mountpoints by id: ``{"id", "name", "description",
            "secret", "pin", "is_private", "enabled", "media": [...],
            "recording": {mid: filename}}``.
        requests: Every Streaming request body answered, in order.
    """

    def __init__(self, first_port: int = 20000) -> None:
        self.mountpoints: dict[int, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._ports = itertools.count(first_port)

    def install(self, fake: FakeJanus) -> None:
        """Answer the Streaming management requests sent to ``fake``.

        ``janus.plugin.streaming`` is added to the plugins ``fake`` lets attach.
        """
        if _PLUGIN not in fake.plugins:
            fake.plugins.append(_PLUGIN)
        fake.on_request("message", self.handle)

    def handle(self, req: FakeRequest) -> Any:
        """`FakeJanus.on_request` handler: answer a Streaming request, or None (default)."""
        handle = req.handle
        body = req.message.get("body")
        if handle is None or handle.plugin != _PLUGIN or not isinstance(body, Mapping):
            return None
        name = body.get("request")
        if name not in _SYNC:
            return None
        self.requests.append(dict(body))
        try:
            data = getattr(self, f"_{name}")(body)
        except _Refused as exc:
            data = {"streaming": "event", "error_code": exc.code, "error": exc.reason}
        return req.success(plugindata=data, plugin=_PLUGIN)

    # ---------------------------------------------------------------- helpers
    def _mountpoint(self, body: Mapping[str, Any], *, secret: bool = True) -> dict[str, Any]:
        mid = body.get("id")
        if mid is None:
            raise _Refused(453, "Missing element (id)")
        if isinstance(mid, bool) or not isinstance(mid, int):
            raise _Refused(454, "Invalid element type (id should be a positive integer)")
        found = self.mountpoints.get(mid)
        if found is None:
            raise _Refused(455, f"No such mountpoint/stream {mid}")
        if secret and found.get("secret") is not None:
            given = body.get("secret")
            if given is None:
                raise _Refused(453, "Missing mandatory element (secret)")
            if given != found["secret"]:
                raise _Refused(457, "Unauthorized (wrong secret)")
        return found

    @staticmethod
    def _entry(mp: Mapping[str, Any]) -> dict[str, Any]:
        entry = {
            "id": mp["id"],
            "type": "live",
            "description": mp["description"],
            "enabled": mp["enabled"],
            "media": [
                {"mid": m["mid"], "type": m["type"], "label": m.get("label", m["mid"])}
                for m in mp["media"]
            ],
        }
        return entry

    # ---------------------------------------------------------------- requests
    def _list(self, body: Mapping[str, Any]) -> dict[str, Any]:
        shown = [self._entry(mp) for mp in self.mountpoints.values() if not mp["is_private"]]
        return {"streaming": "list", "list": shown}

    def _info(self, body: Mapping[str, Any]) -> dict[str, Any]:
        mp = self._mountpoint(body, secret=False)
        info = self._entry(mp)
        info.update(name=mp["name"], is_private=mp["is_private"], viewers=0)
        return {"streaming": "info", "info": info}

    def _create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        if kind is None:
            raise _Refused(453, "Missing element (type)")
        if kind != "rtp":
            raise _Refused(456, f"the fake creates rtp mountpoints only, not {kind!r}")
        media = body.get("media")
        if not isinstance(media, list) or not media:
            raise _Refused(453, "Missing element (media)")
        mid = body.get("id")
        if mid is None:
            mid = next(self._ids)
            while mid in self.mountpoints:
                mid = next(self._ids)
        elif mid in self.mountpoints:
            raise _Refused(456, f"A stream with the provided ID {mid} already exists")
        streams = []
        for item in media:
            if not isinstance(item, Mapping) or "mid" not in item or "type" not in item:
                raise _Refused(453, "Missing element (mid/type)")
            port = item.get("port", 0) or next(self._ports)
            streams.append({**item, "port": port})
        name = body.get("name") or f"mp-{mid}"
        self.mountpoints[mid] = {
            "id": mid,
            "name": name,
            "description": body.get("description") or name,
            "secret": body.get("secret"),
            "pin": body.get("pin"),
            "is_private": bool(body.get("is_private")),
            "enabled": True,
            "media": streams,
            "recording": {},
        }
        ports = [{"type": s["type"], "mid": s["mid"], "port": s["port"]} for s in streams]
        return {
            "streaming": "created",
            "created": name,
            "permanent": False,
            "stream": {
                "id": mid,
                "type": "live",
                "description": self.mountpoints[mid]["description"],
                "is_private": self.mountpoints[mid]["is_private"],
                "host": "127.0.0.1",
                "ports": ports,
            },
        }

    def _edit(self, body: Mapping[str, Any]) -> dict[str, Any]:
        mp = self._mountpoint(body)
        for key in ("description", "metadata", "secret", "pin", "is_private"):
            if f"new_{key}" in body:
                mp[key] = body[f"new_{key}"]
        return {"streaming": "edited", "id": mp["id"], "permanent": False}

    def _destroy(self, body: Mapping[str, Any]) -> dict[str, Any]:
        mp = self._mountpoint(body)
        del self.mountpoints[mp["id"]]
        return {"streaming": "destroyed", "destroyed": mp["id"]}

    def _enable(self, body: Mapping[str, Any]) -> dict[str, Any]:
        self._mountpoint(body)["enabled"] = True
        return {"streaming": "ok"}

    def _disable(self, body: Mapping[str, Any]) -> dict[str, Any]:
        self._mountpoint(body)["enabled"] = False
        return {"streaming": "ok"}

    def _kick_all(self, body: Mapping[str, Any]) -> dict[str, Any]:
        self._mountpoint(body)
        return {"streaming": "kicked_all"}

    def _recording(self, body: Mapping[str, Any]) -> dict[str, Any]:
        action = body.get("action")
        if action not in ("start", "stop"):
            raise _Refused(454, "Invalid action (should be start|stop)")
        mp = self._mountpoint(body)
        mids = {m["mid"] for m in mp["media"]}
        for item in body.get("media") or []:
            if not isinstance(item, Mapping) or item.get("mid") not in mids:
                raise _Refused(454, "Invalid mid")
            if action == "start":
                if not isinstance(item.get("filename"), str):
                    raise _Refused(453, "Missing element (filename)")
                mp["recording"][item["mid"]] = item["filename"]
            else:
                mp["recording"].pop(item["mid"], None)
        return {"streaming": "ok"}
