import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import WerkstattAPI

/// `/metrics` is served on a listener of its own, not on the API's.
@Suite struct MetricsListenerTests {
    @Test("the metrics listener serves Prometheus text, and nothing else")
    func metrics() async throws {
        let app = buildMetricsApplication(host: "127.0.0.1", port: 0, logger: Logger(label: "metrics-test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            }
            try await client.execute(uri: "/v1/workshops", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
