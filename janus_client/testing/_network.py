"""Loopback-only network helpers for running WebRTC media tests against Janus.

Janus never gathers ICE candidates on interfaces flagged as loopback, and
aiortc never offers ``127.0.0.1``. The test bed therefore puts an extra
loopback-range address (``127.0.0.2`` by default) on one end of a veth pair:
the interface is not flagged as loopback, so Janus and aiortc both accept it,
while the traffic itself still goes over ``lo``. Creating the pair needs root.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

__all__ = [
    "address_is_assigned",
    "ensure_ice_address",
    "extra_ice_address",
    "patch_aioice_host_addresses",
    "remove_ice_address",
]

logger = logging.getLogger("janus_client.testing")

_MAX_IFNAME = 15  # IFNAMSIZ - 1 on Linux
_PEER_SUFFIX = "p"
_PATCHED_NAME = "get_host_addresses"  # in aioice.ice


def _ip_binary() -> str | None:
    """Return the path of the ``ip`` tool, also looking in the sbin folders."""
    found = shutil.which("ip")
    if found is not None:
        return found
    for candidate in ("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a command without raising, capturing its output as text."""
    logger.debug("running %s", " ".join(argv))
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def _assigned_addresses(ip: str) -> set[str]:
    """Return every address (without prefix length) that ``ip -o addr show`` lists."""
    result = _run([ip, "-o", "addr", "show"])
    if result.returncode != 0:
        return set()
    addresses: set[str] = set()
    for line in result.stdout.splitlines():
        fields = line.split()
        for index, field in enumerate(fields[:-1]):
            if field in ("inet", "inet6"):
                addresses.add(fields[index + 1].split("/", 1)[0])
    return addresses


def address_is_assigned(address: str) -> bool | None:
    """Tell whether an IP address is assigned to some network interface.

    A subnet route does not count: ``127.0.0.2`` is reachable through the
    ``127.0.0.1/8`` of ``lo`` but is only "assigned" once some interface
    carries exactly that address.

    Args:
        address: The IPv4 or IPv6 address to look for.

    Returns:
        True or False, or None when it cannot be determined (no ``ip`` tool).

    """
    ip = _ip_binary()
    if ip is None:
        return None
    wanted = ipaddress.ip_address(address)
    for found in _assigned_addresses(ip):
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(found) == wanted:
                return True
    return False


@contextlib.contextmanager
def _host_lock(link: str) -> Iterator[None]:
    """Serialise veth set-up between processes of this host with a file lock."""
    lock_path = Path(tempfile.gettempdir()) / f"janus-client-testbed-{link}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _tolerated(result: subprocess.CompletedProcess[str]) -> bool:
    """Accept success and the "already done" answers of a concurrent set-up."""
    if result.returncode == 0:
        return True
    message = result.stderr.lower()
    return "file exists" in message or "already assigned" in message


def _check_link_name(link: str) -> None:
    """Reject interface names the kernel would refuse (peer adds one character)."""
    if not link or len(link) + len(_PEER_SUFFIX) > _MAX_IFNAME:
        raise ValueError(
            f"link name {link!r} must have 1 to {_MAX_IFNAME - len(_PEER_SUFFIX)} characters"
        )
    if any(ch in link for ch in "/ \t\n:") or link in (".", ".."):
        raise ValueError(f"invalid link name {link!r}")


def ensure_ice_address(address: str = "127.0.0.2", link: str = "jt0") -> bool:
    """Make sure an extra loopback-range address exists for ICE.

    If ``address`` is already assigned to an interface, nothing is done.
    Otherwise, when running as root with the ``ip`` tool available, a veth
    pair ``<link>`` / ``<link>p`` is created with IPv6, ARP and multicast
    off, both ends are brought up and ``<address>/32`` is put on ``<link>``.
    The function is idempotent and safe to call from several processes at
    once (it takes a host-wide file lock and tolerates "File exists").

    Args:
        address: The address to provide; must be in ``127.0.0.0/8``.
        link: Name of the first veth end (at most 14 characters, since the
            peer is named ``<link>p``).

    Returns:
        True if the address is present afterwards, False if it is absent
        and could not be created (not root, or no ``ip`` tool).

    Raises:
        ValueError: If the address is not a loopback-range IPv4 address or
            the link name is invalid.

    """
    parsed = ipaddress.ip_address(address)
    if not (isinstance(parsed, ipaddress.IPv4Address) and parsed.is_loopback):
        raise ValueError(f"ICE address must be in 127.0.0.0/8, got {address!r}")
    _check_link_name(link)
    ip = _ip_binary()
    if ip is None:
        logger.info("no 'ip' tool found: cannot check or create ICE address %s", address)
        return False
    if address in _assigned_addresses(ip):
        return True
    if os.geteuid() != 0:
        logger.info("ICE address %s is missing and creating it needs root", address)
        return False
    peer = link + _PEER_SUFFIX
    with _host_lock(link):
        if address in _assigned_addresses(ip):
            return True
        result = _run([ip, "link", "add", link, "type", "veth", "peer", "name", peer])
        if not _tolerated(result):
            logger.warning("cannot create veth pair %s/%s: %s", link, peer, result.stderr.strip())
            return False
        for name in (link, peer):
            disable_ipv6 = Path("/proc/sys/net/ipv6/conf") / name / "disable_ipv6"
            try:
                disable_ipv6.write_text("1\n")
            except OSError as exc:  # IPv6 may be compiled out; not fatal
                logger.debug("cannot disable IPv6 on %s: %s", name, exc)
            for argv in (
                [ip, "link", "set", name, "arp", "off", "multicast", "off"],
                [ip, "link", "set", name, "up"],
            ):
                result = _run(argv)
                if result.returncode != 0:
                    logger.warning("%s failed: %s", " ".join(argv), result.stderr.strip())
                    return False
        result = _run([ip, "addr", "add", f"{address}/32", "dev", link])
        if not _tolerated(result):
            logger.warning("cannot add %s to %s: %s", address, link, result.stderr.strip())
            return False
    present = address in _assigned_addresses(ip)
    if present:
        logger.info("ICE address %s is on veth %s (peer %s)", address, link, peer)
    return present


def remove_ice_address(link: str = "jt0") -> None:
    """Delete the veth pair made by :func:`ensure_ice_address` (and its address).

    Missing links, a missing ``ip`` tool or a lack of privileges are ignored
    (logged at debug level).

    Args:
        link: Name of the first veth end; deleting it deletes its peer too.

    """
    _check_link_name(link)
    ip = _ip_binary()
    if ip is None:
        return
    with _host_lock(link):
        result = _run([ip, "link", "del", link])
    if result.returncode != 0:
        logger.debug("ip link del %s: %s", link, result.stderr.strip())


@contextlib.contextmanager
def extra_ice_address(address: str, link: str) -> Iterator[bool]:
    """Provide one more ICE address for a ``with`` block, e.g. for a second Janus.

    Two Janus instances on one host each need their own ICE address (a veth
    address is visible to every process, and each Janus would offer it). This
    calls :func:`ensure_ice_address` with a link of its own and, at the end of
    the block, deletes the link again if this call created it (an address that
    already existed is left alone).

    Example:
        ::

            with extra_ice_address("127.0.0.3", "jt3") as ok:
                if ok:
                    second = JanusServer(ice_address="127.0.0.3")

    Args:
        address: The address, in ``127.0.0.0/8``.
        link: Name of the veth end to create for it (not the default ``jt0``).

    Yields:
        Whether the address is present (False when it could not be created:
        not root, or no ``ip`` tool).

    Raises:
        ValueError: An invalid address or link name.

    """
    existed = address_is_assigned(address) is True
    present = existed or ensure_ice_address(address, link)
    try:
        yield present
    finally:
        if present and not existed:
            remove_ice_address(link)


def _import_aioice_ice() -> ModuleType:
    """Import ``aioice.ice`` or explain how to install it."""
    try:
        import aioice.ice
    except ImportError as exc:
        raise RuntimeError(
            "aioice is not installed; media support needs: pip install 'janus-client[media]'"
        ) from exc
    return aioice.ice


@contextlib.contextmanager
def patch_aioice_host_addresses(addresses: list[str]) -> Iterator[None]:
    """Make aiortc gather host ICE candidates only on the given addresses.

    Replaces ``aioice.ice.get_host_addresses(use_ipv4, use_ipv6)`` for the
    duration of the ``with`` block; IPv4 addresses are returned when
    ``use_ipv4`` is true and IPv6 ones when ``use_ipv6`` is true. The
    original function is restored on exit. Not reentrant across threads:
    the patch is process-wide. Also give aiortc an empty ICE server list
    (``RTCConfiguration(iceServers=[])``) so that it contacts no STUN server.

    Example:
        Inside a coroutine::

            with patch_aioice_host_addresses(["127.0.0.2"]):
                await pc.setLocalDescription(await pc.createOffer())

    Args:
        addresses: Addresses to offer, e.g. ``["127.0.0.2"]``.

    Yields:
        None.

    Raises:
        RuntimeError: If aioice (the ``media`` extra) is not installed.
        ValueError: If an entry is not an IP address.

    """
    parsed = [ipaddress.ip_address(a) for a in addresses]
    module = _import_aioice_ice()
    original: Callable[..., list[str]] = getattr(module, _PATCHED_NAME)

    def get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [
            str(a) for a in parsed if (use_ipv4 and a.version == 4) or (use_ipv6 and a.version == 6)
        ]

    setattr(module, _PATCHED_NAME, get_host_addresses)
    try:
        yield
    finally:
        setattr(module, _PATCHED_NAME, original)
