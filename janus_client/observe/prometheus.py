"""Prometheus exporter for client metrics and event-derived server metrics.

Needs ``pip install 'janus-client[metrics]'`` (prometheus_client).

`JanusCollector` reads a `ClientMetrics`, a `LiveView` and a
`JanusEventReceiver` at scrape time (nothing is copied in between); register
it on a ``prometheus_client`` registry, or let `MetricsServer` serve
``/metrics`` from the running event loop (no thread).

Cardinality is bounded by design: no label ever carries a session id, handle
id, opaque id, room, user or IP. Labels are the request name (capped at
`MAX_LABEL_VALUES` distinct values, the rest become ``"other"``), the error
label (a Janus error code or one of four classes), the event type (nine plus
``unknown``), the media kind (audio, video, data, other), a direction and the
plugin package (capped the same way). So 10,000 handles cost the same series
as one; per-handle detail stays in the `LiveView` API.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from aiohttp import web

from .._serve import serve_app

try:
    from prometheus_client import CollectorRegistry
    from prometheus_client.core import (
        CounterMetricFamily,
        GaugeMetricFamily,
        HistogramMetricFamily,
    )
    from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "janus_client.observe.prometheus needs prometheus_client: "
        "pip install 'janus-client[metrics]'"
    ) from exc

from .._lifecycle import AsyncContext
from ..instrument import LATENCY_BUCKETS, ClientMetrics
from ._labels import MAX_LABEL_VALUES, media_label
from ._labels import capped as _capped
from .live import LiveView
from .receiver import JanusEventReceiver

__all__ = ["MAX_LABEL_VALUES", "JanusCollector", "MetricsServer", "make_registry"]

class JanusCollector:
    """A ``prometheus_client`` collector over client and server observations.

    Args:
        client: Client metrics (a `ClientMetrics` installed with
            `janus_client.instrument.set_client_hook`), or None.
        live: A `LiveView` fed by the receiver, or None.
        receiver: The `JanusEventReceiver`, for its counters, or None.
    """

    def __init__(
        self,
        client: ClientMetrics | None = None,
        live: LiveView | None = None,
        receiver: JanusEventReceiver | None = None,
    ) -> None:
        self.client = client
        self.live = live
        self.receiver = receiver

    def describe(self) -> list[Any]:
        """Return no descriptions (the metric set depends on what is attached)."""
        return []

    def collect(self) -> Iterator[Any]:
        """Yield the metric families (called by ``prometheus_client`` at scrape time)."""
        if self.client is not None:
            yield from self._client(self.client)
        if self.receiver is not None:
            yield from self._receiver(self.receiver)
        if self.live is not None:
            yield from self._live(self.live)

    @staticmethod
    def _client(m: ClientMetrics) -> Iterator[Any]:
        yield _labelled(
            CounterMetricFamily,
            "janus_client_requests",
            "Requests sent by this client, by request",
            ["request"],
            sorted(_capped(m.requests.items()).items()),
        )
        capped_verbs = set(_capped((v, 0) for v in m.requests))
        yield _labelled(
            CounterMetricFamily,
            "janus_client_request_errors",
            "Failed requests, by request and error (Janus code, timeout, transport, ...)",
            ["request", "error"],
            (
                ((verb if verb in capped_verbs else "other", err), n)
                for (verb, err), n in sorted(m.errors.items())
            ),
        )
        hist = HistogramMetricFamily(
            "janus_client_request_duration_seconds",
            "Request latency, from sending to the complete reply",
            labels=["request"],
        )
        sums = _capped(m.latency_sum.items())
        for verb, counts in sorted(_capped(m.latency_buckets.items()).items()):
            cumulative = 0
            buckets = []
            for bound, count in zip((*LATENCY_BUCKETS, float("inf")), counts, strict=True):
                cumulative += count
                buckets.append((_bound(bound), cumulative))
            hist.add_metric([verb], buckets, sums.get(verb, 0.0))
        yield hist
        yield _labelled(
            CounterMetricFamily,
            "janus_client_connection_state_changes",
            "Transport connection state changes, by state",
            ["state"],
            sorted(m.connection_states.items()),
        )
        yield from _values(
            (GaugeMetricFamily, "janus_client_requests_in_flight",
             "Requests waiting for their reply", m.in_flight),
            (CounterMetricFamily, "janus_client_reconnects", "Reconnection attempts",
             m.reconnects),
            (GaugeMetricFamily, "janus_client_sessions_open", "Sessions open in this process",
             m.open_sessions),
            (GaugeMetricFamily, "janus_client_handles_open", "Handles attached in this process",
             m.open_handles),
        )

    @staticmethod
    def _receiver(rx: JanusEventReceiver) -> Iterator[Any]:
        yield _labelled(
            CounterMetricFamily,
            "janus_events",
            "Event-handler events received, by type",
            ["type"],
            sorted(rx.stats.by_type.items()),
        )
        yield from _values(
            (CounterMetricFamily, "janus_events_malformed",
             "Event-handler messages or items that were not events (dropped)",
             rx.stats.malformed),
            (CounterMetricFamily, "janus_events_dropped",
             "Events dropped because the receiver's queue was full", rx.stats.dropped),
        )

    @staticmethod
    def _live(view: LiveView) -> Iterator[Any]:
        handles = view.handles
        yield _labelled(
            GaugeMetricFamily,
            "janus_handles_by_plugin",
            "Handles alive, by plugin",
            ["plugin"],
            sorted(_capped((h.plugin or "unknown", 1) for h in handles.values()).items()),
        )
        yield from _values(
            (GaugeMetricFamily, "janus_sessions", "Sessions alive on the server",
             len(view.sessions)),
            (GaugeMetricFamily, "janus_handles", "Handles alive on the server", len(handles)),
            (GaugeMetricFamily, "janus_handles_webrtc_up", "Handles whose PeerConnection is up",
             view.webrtc_up_count()),
            (CounterMetricFamily, "janus_webrtc_up", "PeerConnections that came up",
             view.webrtc_ups),
            (CounterMetricFamily, "janus_webrtc_hangups", "PeerConnections hung up",
             view.hangups),
        )
        merged: dict[str, dict[str, int]] = {}
        for kind, totals in view.media_totals().items():
            slot = merged.setdefault(media_label(kind), {})
            for name, value in vars(totals).items():
                slot[name] = slot.get(name, 0) + value
        for name, text, labels, fields in _MEDIA_FAMILIES:
            yield _labelled(
                CounterMetricFamily,
                name,
                text,
                ["media", labels[0]],
                (
                    ((kind, side), t[field])
                    for kind, t in sorted(merged.items())
                    for side, field in zip(labels[1], fields, strict=True)
                ),
            )


#: The media totals as counters: name, help, (label, its two values), the fields.
_MEDIA_FAMILIES: tuple[tuple[str, str, tuple[str, tuple[str, str]], tuple[str, str]], ...] = (
    (
        "janus_media_packets",
        "RTP packets Janus received from / sent to peers, by media",
        ("direction", ("received", "sent")),
        ("packets_received", "packets_sent"),
    ),
    (
        "janus_media_bytes",
        "Media bytes Janus received from / sent to peers, by media",
        ("direction", ("received", "sent")),
        ("bytes_received", "bytes_sent"),
    ),
    (
        "janus_media_lost_packets",
        "Packets lost, as seen by Janus (local) or reported by peers (remote)",
        ("side", ("local", "remote")),
        ("lost", "lost_by_remote"),
    ),
    (
        "janus_media_nacks",
        "NACKs received / sent by Janus",
        ("direction", ("received", "sent")),
        ("nacks_received", "nacks_sent"),
    ),
)


def _labelled(
    kind: Any, name: str, text: str, labels: list[str], rows: Iterable[tuple[Any, float]]
) -> Any:
    """A metric family with one sample per ``(label value or values, value)`` row."""
    family = kind(name, text, labels=labels)
    for key, value in rows:
        family.add_metric(list(key) if isinstance(key, tuple) else [key], value)
    return family


def _values(*rows: tuple[Any, str, str, float]) -> Iterator[Any]:
    """One unlabelled family per ``(kind, name, help, value)`` row."""
    for kind, name, text, value in rows:
        yield kind(name, text, value=value)


def _bound(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(value)


def make_registry(
    client: ClientMetrics | None = None,
    live: LiveView | None = None,
    receiver: JanusEventReceiver | None = None,
) -> CollectorRegistry:
    """Return a new registry holding one `JanusCollector`.

    Args:
        client: Client metrics, or None.
        live: A live view, or None.
        receiver: An event receiver, or None.

    Returns:
        A ``prometheus_client.CollectorRegistry`` (no process/platform collectors).

    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JanusCollector(client, live, receiver))
    return registry


class MetricsServer(AsyncContext):
    """Serve ``/metrics`` for a registry with aiohttp, in the running event loop.

    Args:
        registry: What to expose (see `make_registry`).
        host: Address to listen on.
        port: Port (0 picks a free one; see `url`).
    """

    def __init__(self, registry: CollectorRegistry, host: str = "127.0.0.1", port: int = 0) -> None:
        self.registry = registry
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """``http://host:port/metrics``."""
        return f"http://{self.host}:{self.port}/metrics"

    async def _metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self) -> None:
        """Start listening."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        self._runner, self.port = await serve_app(app, self.host, self.port)

    async def close(self) -> None:
        """Stop listening (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

