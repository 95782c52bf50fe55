"""Janus configuration for event handlers, for `JanusServer(plugin_configs=...)`."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["EVENT_HANDLERS", "event_handler_configs"]

#: Event handler modules shipped with Janus, by short name.
EVENT_HANDLERS: tuple[str, ...] = (
    "sampleevh",
    "wsevh",
    "mqttevh",
    "rabbitmqevh",
    "gelfevh",
    "nanomsgevh",
)


def event_handler_configs(
    handlers: Mapping[str, Mapping[str, object]],
    *,
    stats_period: int = 5,
    events: str = "all",
) -> dict[str, dict[str, dict[str, object]]]:
    """Build ``plugin_configs`` that turn on Janus' event handlers.

    Sets ``events.broadcast = true`` and ``stats_period`` in ``janus.jcfg``,
    disables every handler not listed (an unconfigured ``gelfevh`` makes Janus
    give up at start-up once broadcasting is on) and writes each listed
    handler's file with ``enabled = true``, ``json = "plain"``, the ``events``
    mask and the given settings.

    Example:
        ::

            configs = event_handler_configs(
                {"sampleevh": {"backend": "http://127.0.0.1:7777/evh", "grouping": True}},
                stats_period=1,
            )
            server = JanusServer(plugin_configs=configs)

    Args:
        handlers: Short handler name (``sampleevh``, ``wsevh``, ``mqttevh``,
            ``rabbitmqevh``, ...) to the settings of its ``general`` section
            (``backend``, ``url``, ``host``/``port``, ``grouping``, ``events``, ...).
        stats_period: Seconds between media statistics events.
        events: Default ``events`` mask of each handler.

    Returns:
        A mapping to pass as ``plugin_configs`` (merge your own entries in).

    Raises:
        ValueError: On an unknown handler name.

    """
    unknown = set(handlers) - set(EVENT_HANDLERS)
    if unknown:
        raise ValueError(f"unknown event handlers {sorted(unknown)}; known: {EVENT_HANDLERS}")
    disabled = ",".join(f"libjanus_{h}.so" for h in EVENT_HANDLERS if h not in handlers)
    configs: dict[str, dict[str, dict[str, object]]] = {
        "janus": {
            "events": {
                "broadcast": True,
                "stats_period": stats_period,
                "disable": disabled or None,
            }
        }
    }
    for name, settings in handlers.items():
        configs[f"janus.eventhandler.{name}"] = {
            "general": {"enabled": True, "events": events, "json": "plain", **settings}
        }
    return configs
