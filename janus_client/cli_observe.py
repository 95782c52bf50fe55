"""Former home of the ``health`` and ``events`` commands: now `janus_client.cli.observe`.

Kept so that ``from janus_client.cli_observe import ...`` goes on working.
"""

from __future__ import annotations

from .cli.observe import add_commands, cmd_events, cmd_health, event_to_json

__all__ = ["add_commands", "cmd_events", "cmd_health", "event_to_json"]
