"""Keepalives and reconnection: keeping the sessions of a transport alive.

One keepalive loop per transport serves all its sessions (no task per session).
When the line drops, `ReconnectingTransport` reconnects under the
`ReconnectPolicy` and asks each session to `SessionLink.restore` itself (the
session sends its own ``claim``); sessions it cannot keep are told through
`SessionLink.connection_lost`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

from .. import instrument as _instrument
from .. import protocol as _p
from .._compat import deadline as _deadline
from ..errors import (
    ConnectionClosedError,
    InvalidStateError,
    JanusError,
    RequestTimeoutError,
    TransportError,
)
from ..events import ConnectionState, ConnectionStateEvent
from ..protocol import Incoming, MessageKind, error_from_message
from .core import TransportCore

if TYPE_CHECKING:
    from .link import SessionLink

__all__ = ["ReconnectingTransport"]

logger = logging.getLogger("janus_client")



class ReconnectingTransport(TransportCore):
    """A transport that keeps its sessions alive and reconnects (see `JanusTransport`)."""

    def _connection_failed(self, exc: TransportError) -> None:
        """Called by subclasses (from their reader) when the line drops."""
        if not self._connected:
            return
        logger.warning("connection to %s lost: %s", self.base_url, exc)
        self._connected = False
        self._table.fail_all(exc)  # calls in flight fail; they are never replayed
        self._fail_raw_waiters(exc)
        self._notify(ConnectionState.DISCONNECTED, error=str(exc))
        if self.reconnect is None or self._closed:
            self._notify(ConnectionState.LOST, error=str(exc))
            self._lose_sessions(exc)
            return
        self._reconnecting = asyncio.get_running_loop().create_future()
        self._reconnect_task = asyncio.get_running_loop().create_task(
            self._reconnect_loop(exc), name=f"janus-reconnect-{self.base_url}"
        )

    def _lose_sessions(self, exc: BaseException) -> None:
        for session in list(self._sessions.values()):
            session.connection_lost(exc)
        self._sessions.clear()

    async def _reconnect_loop(self, cause: TransportError) -> None:
        policy = self.reconnect
        assert policy is not None
        loop = asyncio.get_running_loop()
        end = loop.time() + policy.deadline
        last: BaseException = cause
        attempt = 0
        try:
            for delay in policy.delays():
                if loop.time() + delay >= end:
                    break
                attempt += 1
                self._notify(ConnectionState.RECONNECTING, attempt=attempt, error=str(last))
                await asyncio.sleep(delay)
                await self._close_connection()
                try:
                    async with _deadline(max(end - loop.time(), 0.001)):
                        await self._open()
                except (TransportError, TimeoutError) as exc:
                    last = exc
                    logger.info(
                        "reconnect attempt %d to %s failed: %s", attempt, self.base_url, exc
                    )
                    continue
                self._connected = True
                logger.info("reconnected to %s (attempt %d)", self.base_url, attempt)
                await self._reclaim_sessions(attempt, max(end - loop.time(), 0.001))
                self._reconnect_task = None
                self._end_reconnecting(None)
                return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # pragma: no cover - defensive: never leave callers waiting
            logger.exception("reconnecting to %s failed", self.base_url)
            last = exc
        failure = ConnectionClosedError(
            f"could not reconnect to {self.base_url} after {attempt} attempt(s): {last}",
            url=self.base_url,
        )
        self._reconnect_task = None
        self._notify(ConnectionState.LOST, attempt=attempt, error=str(last))
        self._lose_sessions(failure)
        self._end_reconnecting(failure)

    async def _reclaim_sessions(self, attempt: int, limit: float) -> None:
        # Each session restores itself (it sends its own ``claim``); requests made
        # from this task do not wait for the reconnection they are part of.
        for sid, session in list(self._sessions.items()):
            if session.session_id is None:
                continue
            if not await session.restore(
                attempt=attempt, timeout=min(limit, self.timeouts.request)
            ):
                self.remove_session(sid)

    def _notify(
        self, state: ConnectionState, *, attempt: int = 0, error: str | None = None
    ) -> None:
        _instrument.notify_state(self.base_url, state.value)
        for session in list(self._sessions.values()):
            session.connection_state_changed(state, attempt=attempt, error=error)
        if self._state_callbacks:
            event = ConnectionStateEvent(state=state, attempt=attempt, error=error)
            for callback in list(self._state_callbacks):
                try:
                    callback(event)
                except Exception:
                    logger.exception("connection state callback %r raised", callback)

    def on_state_change(self, callback: Callable[[ConnectionStateEvent], object]) -> None:
        """Call ``callback(event)`` (synchronously) when the connection changes state.

        Sessions also receive these as `ConnectionStateEvent` through their events.
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        self._state_callbacks.append(callback)

    # --------------------------------------------------------------- sessions
    def add_session(self, session: SessionLink) -> None:
        """Route ``session``'s events here and keep it alive (called by the session).

        Raises:
            InvalidStateError: Another session with the same id is already here.
        """
        assert session.session_id is not None
        sid = session.session_id
        if sid in self._sessions and self._sessions[sid] is not session:
            raise InvalidStateError(f"session {sid} is already open on this transport")
        self._sessions[sid] = session
        self._session_added(sid)
        _instrument.notify_session(session, sid)
        if self._keepalive_task is None and self._keepalive_timer is None and self._connected:
            # A timer, not a task: a session that lives less than one interval
            # costs no task at all (its keepalive loop never starts).
            self._keepalive_timer = asyncio.get_running_loop().call_later(
                self.timeouts.keepalive, self._start_keepalive
            )

    def _start_keepalive(self) -> None:
        """The first keepalive interval passed with sessions open: start the loop."""
        self._keepalive_timer = None
        if self._sessions and self._keepalive_task is None and not self._closed:
            self._keepalive_task = asyncio.get_running_loop().create_task(
                self._keepalive_loop(), name=f"janus-keepalive-{self.base_url}"
            )

    def remove_session(self, session_id: int, session: SessionLink | None = None) -> None:
        """Stop routing ``session_id`` here (called by the session; idempotent).

        With ``session``, only when that session is the one registered under the id.
        """
        if session is not None and self._sessions.get(session_id) is not session:
            return
        if self._sessions.pop(session_id, None) is not None:
            _instrument.notify_session(None, session_id)
            self._session_removed(session_id)
            if not self._sessions:
                self._stop_keepalive()

    def want_events(self, session_id: int) -> None:
        """The session ``session_id`` now expects events (HTTP starts its long-poll)."""
        self._events_wanted(session_id)

    def fail_calls(self, owner: Hashable, exc: BaseException) -> None:
        """Fail every pending call of ``owner`` (a session or handle closing) with ``exc``."""
        self._table.fail_owner(owner, exc)

    def _stop_keepalive(self) -> None:
        """Stop the keepalive loop now that no session is left (it is owned by us)."""
        timer, self._keepalive_timer = self._keepalive_timer, None
        if timer is not None:
            timer.cancel()
        task, self._keepalive_task = self._keepalive_task, None
        if task is None or task.done():
            return
        if task is asyncio.current_task():
            return  # the loop itself sees that no session is left and ends
        task.cancel()
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @property
    def sessions(self) -> Mapping[int, SessionLink]:
        """The sessions currently using this transport, by id (read-only view)."""
        return dict(self._sessions)

    async def _keepalive_loop(self) -> None:
        """One loop per transport sends every session's keepalive each interval.

        On a transport without a connection of its own (HTTP) and with a
        `ReconnectPolicy`, a session whose keepalive went unanswered is retried
        under the policy's delays and deadline (see `_keepalive_recover`) before
        it is given up.
        """
        interval = self.timeouts.keepalive
        try:
            while True:  # started by a timer one interval after the first session
                if not self._sessions:
                    return
                if self._connected and self._reconnecting is None:
                    failing = await self._keepalive_round(list(self._sessions.values()))
                    if failing:
                        await self._keepalive_recover(failing)
                if not self._sessions:
                    return
                await asyncio.sleep(interval)
        finally:
            if self._keepalive_task is asyncio.current_task():
                self._keepalive_task = None

    async def _keepalive_recover(self, failing: list[SessionLink]) -> None:
        """Retry the keepalives of ``failing`` sessions under the `ReconnectPolicy`.

        Every retry round also keeps the healthy sessions alive. A session that
        answers again is back (``RECONNECTED``); one still unanswered when the
        policy runs out is lost, and its ``destroy`` is attempted (best effort) so
        that Janus does not keep it.
        """
        policy = self.reconnect
        assert policy is not None
        loop = asyncio.get_running_loop()
        end = loop.time() + policy.deadline
        attempt = 0
        last = "no keepalive answered"
        for delay in policy.delays():
            if loop.time() + delay >= end:
                break
            attempt += 1
            for session in failing:
                session.connection_state_changed(
                    ConnectionState.RECONNECTING, attempt=attempt, error=last
                )
            await asyncio.sleep(delay)
            if not self._connected:
                return
            still = set(await self._keepalive_round(list(self._sessions.values()), retry=True))
            for session in failing:
                if session not in still and not session.closed:
                    logger.info(
                        "keepalive of session %s answered again (attempt %d)",
                        session.session_id,
                        attempt,
                    )
                    session.connection_state_changed(ConnectionState.RECONNECTED, attempt=attempt)
            failing = [s for s in failing if s in still] + [s for s in still if s not in failing]
            failing = self._still_here(failing)
            if not failing:
                return
        for session in self._still_here(failing):
            session.connection_state_changed(ConnectionState.LOST, attempt=attempt, error=last)
            self._give_up_session(
                session,
                RequestTimeoutError(
                    f"keepalive of session {session.session_id} got no reply from "
                    f"{self.base_url} within the reconnect policy's {policy.deadline:g} s",
                    request="keepalive",
                    timeout=policy.deadline,
                ),
            )

    def _still_here(self, sessions: list[SessionLink]) -> list[SessionLink]:
        """The sessions of ``sessions`` still active on this transport."""
        return [
            s
            for s in sessions
            if not s.closed and s.session_id is not None and self._sessions.get(s.session_id) is s
        ]

    def _give_up_session(self, session: SessionLink, exc: BaseException) -> None:
        """Mark ``session`` lost and ask Janus (best effort, bounded) to destroy it."""
        sid = session.session_id
        creds = session.credentials()
        session.keepalive_failed(exc)
        if sid is not None:
            self._destroy_later(sid, creds)

    def _destroy_later(self, sid: int, creds: dict[str, Any]) -> None:
        """Send ``destroy`` for a session given up, in a task the transport owns."""
        if not self._connected or self._closed:
            return
        msg = _p.destroy(self._table.new_id(), sid)
        msg.update(creds)
        task = asyncio.get_running_loop().create_task(
            self._destroy_quietly(msg), name=f"janus-destroy-lost-{sid}"
        )
        for tasks in (self._background, self._destroys):
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def _destroy_quietly(self, msg: dict[str, Any]) -> None:
        try:
            await self.request(msg, timeout=self.timeouts.close)
        except JanusError as exc:
            logger.debug("destroy of lost session %s: %s", msg.get("session_id"), exc)

    async def _keepalive_round(
        self, sessions: list[SessionLink], *, retry: bool = False
    ) -> list[SessionLink]:
        """Send one keepalive per session; the whole round has one deadline.

        The deadline is the keepalive interval (or the request timeout if shorter),
        so a line that stopped answering is noticed within twice the interval.

        Returns:
            The sessions to retry under the `ReconnectPolicy` (unanswered, or failed
            on the transport), when the transport retries keepalives itself; they
            are not marked lost yet. With ``retry`` they are returned even when
            the transport would otherwise give them up.
        """
        retrying = self._retries_keepalives() or retry
        to_retry: list[SessionLink] = []
        limit = min(self.timeouts.request, self.timeouts.keepalive)
        waits: list[tuple[SessionLink, str, asyncio.Future[Incoming]]] = []
        try:
            async with _deadline(limit):
                for session in sessions:
                    sid = session.session_id
                    if sid is None or session.closed:
                        continue
                    tid = self._table.new_id()
                    msg = _p.keepalive(tid, sid)
                    msg.update(session.credentials())
                    waits.append((session, tid, self._table.register(tid, session, "keepalive")))
                    await self._send(msg)
                if waits:
                    await asyncio.wait([w[2] for w in waits])
        except TimeoutError:
            pass
        except JanusError as exc:
            logger.debug("keepalive round on %s stopped: %s", self.base_url, exc)
        finally:
            for _, tid, _ in waits:
                self._table.discard(tid)
        unanswered = [session for session, _, fut in waits if not fut.done()]
        if (
            unanswered
            and len(unanswered) == len(waits)
            and self._abort_dead_connection(
                RequestTimeoutError(
                    f"the connection to {self.base_url} looks dead: no keepalive answered "
                    f"within {limit:g} s",
                    request="keepalive",
                    timeout=limit,
                )
            )
        ):
            for _, _, fut in waits:
                fut.cancel()
            return to_retry
        for session, _, fut in waits:
            if not fut.done():
                fut.cancel()
                if retrying:
                    to_retry.append(session)
                    continue
                session.keepalive_failed(
                    RequestTimeoutError(
                        f"keepalive of session {session.session_id} got no reply from "
                        f"{self.base_url} within {limit:g} s",
                        request="keepalive",
                        timeout=limit,
                    )
                )
            elif fut.cancelled():
                continue
            elif (failure := fut.exception()) is not None:
                if not isinstance(failure, TransportError):
                    session.keepalive_failed(failure)
                elif retrying:
                    to_retry.append(session)
            elif fut.result().kind is MessageKind.ERROR:
                session.keepalive_failed(
                    error_from_message(fut.result().body, request="keepalive", url=self.base_url)
                )
        return to_retry

    def _retries_keepalives(self) -> bool:
        """Whether unanswered keepalives are retried under the `ReconnectPolicy`.

        True for transports without a connection to re-establish (HTTP) when a
        policy is set; connection-oriented ones reconnect instead.
        """
        return False

