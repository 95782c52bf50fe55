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
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

__all__ = [
    "IceAddressLease",
    "acquire_ice_address",
    "address_is_assigned",
    "default_link_name",
    "ensure_ice_address",
    "extra_ice_address",
    "ice_address_instructions",
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
        ```python
        with extra_ice_address("127.0.0.3", "jt3") as ok:
            if ok:
                second = JanusServer(ice_address="127.0.0.3")
        ```

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


def default_link_name(address: str) -> str:
    """Return the veth name the project uses for an ICE address.

    ``127.0.0.2`` (the test bed's address) gets ``jt0``; any other
    ``127.a.b.c`` gets ``jt`` followed by six hex digits of ``a.b.c``, so
    that several test beds on one host never share a link.

    Args:
        address: An address in ``127.0.0.0/8``.

    Returns:
        A link name of at most 14 characters.

    """
    if address == "127.0.0.2":
        return "jt0"
    return f"jt{int(ipaddress.IPv4Address(address)) & 0xFFFFFF:06x}"


def ice_address_instructions(address: str = "127.0.0.2", link: str | None = None) -> str:
    """Say what to run (once, as root) so that ``address`` exists for ICE.

    Args:
        address: The loopback-range address media should use.
        link: The veth name; :func:`default_link_name` by default.

    Returns:
        One sentence with the ``ip`` commands to run, and how to undo them.

    """
    link = link or default_link_name(address)
    peer = link + _PEER_SUFFIX
    return (
        f"run once as root: ip link add {link} type veth peer name {peer} && "
        f"ip link set {link} up && ip link set {peer} up && "
        f"ip addr add {address}/32 dev {link} (undo with: ip link del {link}); "
        "or run this program as root, which creates the address and removes it on exit"
    )


_leases_guard = threading.Lock()
_lease_counts: dict[str, int] = {}
_lease_fds: dict[str, int] = {}


def _marker_path(link: str) -> Path:
    """File saying "janus-client created this link" (so that it may remove it)."""
    return Path(tempfile.gettempdir()) / f"janus-client-ice-{link}.created"


def _use_lock_path(link: str) -> Path:
    """File every process using the link holds a shared lock on."""
    return Path(tempfile.gettempdir()) / f"janus-client-ice-{link}.use"


class IceAddressLease:
    """The use of an ICE address by this process; :meth:`release` when done.

    Returned by :func:`acquire_ice_address`. When the last user of an
    address that janus-client created releases it (in this process and, by
    a shared file lock, in every other process on the host), the veth pair
    is deleted. An address someone else created is never removed.

    Attributes:
        address: The address, or None if it is missing and could not be created.
        link: The veth name that carries (or would carry) it.
        created: True if this lease created the veth pair.

    """

    def __init__(self, address: str | None, link: str, created: bool) -> None:
        self.address = address
        self.link = link
        self.created = created
        self._released = address is None

    @property
    def released(self) -> bool:
        """True once :meth:`release` ran (or if there was nothing to hold)."""
        return self._released

    def release(self) -> None:
        """Stop using the address; remove the veth pair if this was its last user.

        Safe to call several times.
        """
        if self._released:
            return
        self._released = True
        link = self.link
        with _leases_guard:
            count = _lease_counts.get(link, 0) - 1
            if count > 0:
                _lease_counts[link] = count
                return
            _lease_counts.pop(link, None)
            fd = _lease_fds.pop(link, None)
            if fd is None:
                return
            try:
                # Last user in this process: were we the last on the host too?
                fcntl.flock(fd, fcntl.LOCK_UN)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    logger.debug("ICE link %s is still used by another process", link)
                    return
                marker = _marker_path(link)
                if marker.exists() and os.geteuid() == 0:
                    remove_ice_address(link)
                    with contextlib.suppress(OSError):
                        marker.unlink()
                    logger.info("removed the ICE address veth %s", link)
                with contextlib.suppress(OSError):
                    _use_lock_path(link).unlink()
            finally:
                os.close(fd)

    def __enter__(self) -> IceAddressLease:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<IceAddressLease {self.address} on {self.link} created={self.created}>"


def acquire_ice_address(address: str = "127.0.0.2", link: str | None = None) -> IceAddressLease:
    """Use an ICE address, creating it (as root) if it is missing.

    Unlike :func:`ensure_ice_address`, what this creates does not outlive
    its users: call :meth:`IceAddressLease.release` (or use the lease as a
    context manager) and the veth pair goes away with its last user. An
    address that already existed is used and left alone.

    Args:
        address: The address to provide; must be in ``127.0.0.0/8``.
        link: The veth name; :func:`default_link_name` by default.

    Returns:
        The lease; its ``address`` is None when the address is missing and
        could not be created (not root, or no ``ip`` tool).

    Raises:
        ValueError: If the address or link name is invalid.

    """
    link = link or default_link_name(address)
    _check_link_name(link)
    with _leases_guard:
        if link in _lease_fds:
            _lease_counts[link] += 1
            return IceAddressLease(address, link, created=False)
        fd = os.open(_use_lock_path(link), os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            existed = address_is_assigned(address) is True
            if not existed and not ensure_ice_address(address, link):
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    _use_lock_path(link).unlink()  # nobody else waits on it
                os.close(fd)
                return IceAddressLease(None, link, created=False)
        except BaseException:
            os.close(fd)
            raise
        created = not existed
        if created:
            _marker_path(link).write_text(f"{address}\n")
        _lease_fds[link] = fd
        _lease_counts[link] = 1
        return IceAddressLease(address, link, created=created)


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
        Inside a coroutine:

        ```python
        with patch_aioice_host_addresses(["127.0.0.2"]):
            await pc.setLocalDescription(await pc.createOffer())
        ```

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
