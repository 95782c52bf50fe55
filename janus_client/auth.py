"""Helpers for Janus authentication.

Janus accepts three kinds of credentials (see Janus' ``auth.html``): a shared
``api_secret``, stored tokens added through the Admin API, and HMAC-signed tokens
that an application server makes with the server's ``token_auth_secret``.
`make_signed_token` builds the last kind.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable

__all__ = ["make_signed_token"]


def make_signed_token(
    secret: str,
    plugins: Iterable[str] = (),
    *,
    expires_in: float = 24 * 3600,
    realm: str = "janus",
    now: float | None = None,
) -> str:
    """Make an HMAC-signed Janus token.

    The token reads ``<expiry>,<realm>,<plugin>...:<signature>``, the signature being
    the base64 HMAC-SHA1 of the part before the colon, keyed with ``secret``. Janus
    1.1.2 only honours signed tokens for the VideoRoom plugin; other plugins need
    stored tokens.

    Args:
        secret: The server's ``token_auth_secret``.
        plugins: Plugin package names the token may attach to.
        expires_in: Validity from now, in seconds.
        realm: The token realm; ``"janus"`` for the Janus API.
        now: The current UNIX time (for tests); default `time.time()`.

    Returns:
        The token, to pass as ``JanusSession(..., token=...)``.

    Raises:
        ValueError: An empty secret or realm, a non-positive ``expires_in``, or a
            plugin name containing ``,`` or ``:``.
    """
    if not isinstance(secret, str) or not secret:
        raise ValueError("secret must be a non-empty string")
    if not isinstance(realm, str) or not realm or "," in realm or ":" in realm:
        raise ValueError(f"realm must be a non-empty string without ',' or ':', got {realm!r}")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)) or expires_in <= 0:
        raise ValueError(f"expires_in must be a positive number of seconds, got {expires_in!r}")
    names = list(plugins)
    for name in names:
        if not isinstance(name, str) or not name or "," in name or ":" in name:
            raise ValueError(f"invalid plugin name in plugins: {name!r}")
    expiry = int((time.time() if now is None else now) + expires_in)
    payload = ",".join([str(expiry), realm, *names])
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha1).digest()
    return f"{payload}:{base64.b64encode(digest).decode()}"
