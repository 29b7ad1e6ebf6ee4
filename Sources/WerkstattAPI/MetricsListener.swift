import Hummingbird
import Logging
import Prometheus

/// `/metrics` on a listener of its own (`serve --metrics-port`, on 127.0.0.1 by default):
/// per-route request rates, ballots included, are for the operator's Prometheus, not for
/// anyone who can reach the API.
public func buildMetricsApplication(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
    let router = Router()
    router.get("metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: Telemetry.registry.emitToBuffer())))
    }
    return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "Werkstatt metrics"),
                       logger: logger)
}
