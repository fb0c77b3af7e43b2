import CoreMetrics
import Metrics
import struct Prometheus.PrometheusMetricsFactory
import class Prometheus.PrometheusCollectorRegistry

/// The service's metrics, recorded through swift-metrics into a Prometheus registry.
///
/// Names follow Prometheus conventions (`facegate_*`, seconds, `_total` for counters).
/// Thread-safe: the underlying handlers are.
public final class ServiceMetrics: Sendable {
    /// The registry that `MetricsEndpoint` serves.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// Creates metrics backed by a fresh registry (no global bootstrap, so tests can make many).
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let latencyBuckets: [Duration] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        factory.defaultDurationHistogramBuckets = latencyBuckets
        factory.valueHistogramBuckets = ["facegate_batch_size": [1, 2, 4, 8, 16, 32, 64]]
        self.registry = registry
        self.factory = factory
        galleryIdentities = CoreMetrics.Gauge(label: "facegate_gallery_identities", factory: factory)
        galleryFaces = CoreMetrics.Gauge(label: "facegate_gallery_faces", factory: factory)
        queueDepth = CoreMetrics.Gauge(label: "facegate_queue_depth", factory: factory)
        batchSize = CoreMetrics.Recorder(label: "facegate_batch_size", aggregate: true, factory: factory)
    }

    /// Identities in the gallery.
    public let galleryIdentities: CoreMetrics.Gauge
    /// Faces in the gallery.
    public let galleryFaces: CoreMetrics.Gauge
    /// Faces waiting for a batch.
    public let queueDepth: CoreMetrics.Gauge
    /// Faces per engine batch.
    public let batchSize: CoreMetrics.Recorder

    /// Counts one finished call and records its latency.
    public func recordCall(method: String, code: String, duration: Duration) {
        CoreMetrics.Counter(label: "facegate_requests_total", dimensions: [("method", method), ("code", code)], factory: factory)
            .increment()
        CoreMetrics.Timer(label: "facegate_request_duration_seconds", dimensions: [("method", method)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// Counts one face answered with `decision` (match, unknown, rejected, error).
    public func recordDecision(_ decision: String) {
        CoreMetrics.Counter(label: "facegate_decisions_total", dimensions: [("decision", decision)], factory: factory).increment()
    }

    /// Counts one OOD reject reason.
    public func recordReject(reason: String) {
        CoreMetrics.Counter(label: "facegate_rejects_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// Counts faces removed from the queue before computation (`cancelled`, `deadline`, `shed`).
    public func recordDropped(_ why: String, count: Int = 1) {
        CoreMetrics.Counter(label: "facegate_faces_dropped_total", dimensions: [("why", why)], factory: factory)
            .increment(by: count)
    }

    /// The current exposition text.
    public func exposition() -> String {
        registry.emitToString()
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
