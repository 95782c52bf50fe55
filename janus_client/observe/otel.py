"""OpenTelemetry metrics for client metrics and event-derived server metrics.

Needs ``pip install 'janus-client[otel]'`` (opentelemetry-api); bring your own
SDK and exporter (OTLP, Prometheus, console, ...).

`register_otel_metrics` creates observable instruments on a meter whose
callbacks read a `ClientMetrics`, a `LiveView` and a `JanusEventReceiver` at
collection time, with the same bounded attributes as the Prometheus exporter
(no ids; request and plugin capped at `MAX_LABEL_VALUES`). Request latency is a
synchronous histogram, so it needs `OtelClientMetrics` as the client hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

try:
    from opentelemetry import metrics as otel_metrics
    from opentelemetry.metrics import CallbackOptions, Meter, MeterProvider, Observation
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "janus_client.observe.otel needs opentelemetry-api: pip install 'janus-client[otel]'"
    ) from exc

from .._version import __version__
from ..instrument import ClientMetrics, error_label
from ._labels import MAX_LABEL_VALUES, capped, media_label
from .live import LiveView
from .receiver import JanusEventReceiver

__all__ = ["MAX_LABEL_VALUES", "OtelClientMetrics", "register_otel_metrics"]

Callback = Callable[[CallbackOptions], Iterable[Observation]]


class OtelClientMetrics(ClientMetrics):
    """`ClientMetrics` that also records each request's duration in an OTel histogram.

    Args:
        meter_provider: The provider (default: the global one).
    """

    def __init__(self, meter_provider: MeterProvider | None = None) -> None:
        super().__init__()
        meter = otel_metrics.get_meter("janus_client", __version__, meter_provider)
        self._histogram = meter.create_histogram(
            "janus.client.request.duration",
            unit="s",
            description="Request latency, from sending to the complete reply",
        )
        self._verbs: set[str] = set()

    def request_finished(self, verb: str, duration: float, error: BaseException | None) -> None:
        """Count the request and record its duration."""
        super().request_finished(verb, duration, error)
        if verb not in self._verbs and len(self._verbs) >= MAX_LABEL_VALUES:
            verb = "other"
        else:
            self._verbs.add(verb)
        attributes = {"request": verb}
        if error is not None:
            attributes["error"] = error_label(error)
        self._histogram.record(duration, attributes)


def _obs(pairs: Iterable[tuple[float, dict[str, str]]]) -> Iterator[Observation]:
    for value, attributes in pairs:
        yield Observation(value, attributes)


def register_otel_metrics(
    *,
    client: ClientMetrics | None = None,
    live: LiveView | None = None,
    receiver: JanusEventReceiver | None = None,
    meter_provider: MeterProvider | None = None,
) -> Meter:
    """Create the observable instruments on a ``janus_client`` meter.

    Args:
        client: Client metrics (use `OtelClientMetrics` for the latency histogram).
        live: A `LiveView` fed by the receiver.
        receiver: The `JanusEventReceiver`, for its counters.
        meter_provider: The provider (default: the global one).

    Returns:
        The meter the instruments were created on.

    """
    meter = otel_metrics.get_meter("janus_client", __version__, meter_provider)

    def counter(
        name: str, description: str, read: Callable[[], Iterable[tuple[float, dict[str, str]]]]
    ) -> None:
        meter.create_observable_counter(
            name, callbacks=[lambda _options: _obs(read())], description=description
        )

    def gauge(
        name: str, description: str, read: Callable[[], Iterable[tuple[float, dict[str, str]]]]
    ) -> None:
        meter.create_observable_gauge(
            name, callbacks=[lambda _options: _obs(read())], description=description
        )

    if client is not None:
        m = client
        counter(
            "janus.client.requests",
            "Requests sent by this client",
            lambda: [(n, {"request": v}) for v, n in capped(m.requests.items()).items()],
        )
        counter(
            "janus.client.request.errors",
            "Failed requests, by request and error",
            lambda: [(n, {"request": v, "error": e}) for (v, e), n in m.errors.items()],
        )
        counter("janus.client.reconnects", "Reconnection attempts", lambda: [(m.reconnects, {})])
        gauge(
            "janus.client.requests.in_flight",
            "Requests waiting for their reply",
            lambda: [(m.in_flight, {})],
        )
        gauge("janus.client.sessions.open", "Sessions open", lambda: [(m.open_sessions, {})])
        gauge("janus.client.handles.open", "Handles attached", lambda: [(m.open_handles, {})])
    if receiver is not None:
        rx = receiver
        counter(
            "janus.events",
            "Event-handler events received, by type",
            lambda: [(n, {"type": t}) for t, n in rx.stats.by_type.items()],
        )
        counter(
            "janus.events.malformed",
            "Messages or items that were not events",
            lambda: [(rx.stats.malformed, {})],
        )
        counter(
            "janus.events.dropped",
            "Events dropped on a full queue",
            lambda: [(rx.stats.dropped, {})],
        )
    if live is not None:
        view = live
        gauge("janus.sessions", "Sessions alive on the server", lambda: [(len(view.sessions), {})])
        gauge("janus.handles", "Handles alive on the server", lambda: [(len(view), {})])
        gauge(
            "janus.handles.webrtc_up",
            "Handles whose PeerConnection is up",
            lambda: [(view.webrtc_up_count(), {})],
        )

        def media(
            fields: tuple[tuple[str, str, str], ...],
        ) -> Callable[[], list[tuple[float, dict[str, str]]]]:
            def read() -> list[tuple[float, dict[str, str]]]:
                merged: dict[str, dict[str, int]] = {}
                for kind, totals in view.media_totals().items():
                    slot = merged.setdefault(media_label(kind), {})
                    for name, value in vars(totals).items():
                        slot[name] = slot.get(name, 0) + value
                return [
                    (slot[field], {"media": kind, key: value})
                    for kind, slot in merged.items()
                    for field, key, value in fields
                ]

            return read

        counter(
            "janus.media.packets",
            "RTP packets Janus received from / sent to peers",
            media(
                (
                    ("packets_received", "direction", "received"),
                    ("packets_sent", "direction", "sent"),
                )
            ),
        )
        counter(
            "janus.media.bytes",
            "Media bytes Janus received from / sent to peers",
            media(
                (("bytes_received", "direction", "received"), ("bytes_sent", "direction", "sent"))
            ),
        )
        counter(
            "janus.media.lost_packets",
            "Packets lost, seen by Janus (local) or reported by peers (remote)",
            media((("lost", "side", "local"), ("lost_by_remote", "side", "remote"))),
        )
    return meter
