"""Former home of the in-process fake Janus, kept so that existing imports work.

The fake now lives in `janus_client.testing.fake` (a package: data model, verb
table, core, wire, server); import from there or from `janus_client.testing`.
"""

from __future__ import annotations

from . import fake
from .fake import *  # noqa: F403  (the same names, from their new home)

__all__ = fake.__all__
