import Metrics
import Prometheus

/// The process's metrics registry. swift-metrics may be bootstrapped once per process,
/// so the first use does it, and every application built afterwards shares it.
public enum Telemetry {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
