"""``python -m janus_client``: the ``janus-client`` command line."""

from .cli import main_entry

main_entry()
