import Foundation
import Hummingbird
import PostgresNIO
import WerkstattStore

/// Health and the API description; no token needed. (`/metrics` has a listener of its
/// own: `buildMetricsApplication`.)
struct OperationsController {
    let client: PostgresClient

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("health/live", use: live)
        router.get("health/ready", use: ready)
        router.get("openapi.yaml", use: openAPI)
    }

    struct Health: ResponseEncodable {
        var status: String
    }

    @Sendable func live(_ request: Request, context: AppRequestContext) async throws -> Health {
        Health(status: "ok")
    }

    /// Ready when PostgreSQL answers within two seconds.
    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Health {
        let client = self.client
        let logger = context.logger
        let answered = (try? await Deadline.run(.seconds(2)) {
            try await client.query("SELECT 1", logger: logger).collect().count
        }) != nil
        guard answered else {
            throw APIError.unavailable("PostgreSQL does not answer")
        }
        return Health(status: "ready")
    }

    @Sendable func openAPI(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
    }
}

/// docs/openapi.yaml, compiled into the binary.
public enum OpenAPIDocument {
    public static let text: String = embeddedDocuments.first { $0.name == "openapi.yaml" }?.text ?? ""
}
