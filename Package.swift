// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "werkstatt",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "werkstatt", targets: ["werkstatt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
    ],
    targets: [
        // Pure vote counting: methods, balances, trust figures, digest. No I/O.
        .target(name: "WerkstattVoting", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // Pure opinion map: PCA, k-means, representative and consensus theses, the
        // cross-table under k (docs/methods.md, "The opinion map"). No I/O.
        .target(name: "WerkstattOpinionMap", dependencies: ["WerkstattVoting"]),

        // Pure domain: types, validation and rules. No I/O.
        .target(name: "WerkstattDomain", dependencies: ["WerkstattVoting", "WerkstattOpinionMap"]),

        // PostgreSQL: migrations (embedded at build time) and repositories.
        .target(
            name: "WerkstattStore",
            dependencies: [
                "WerkstattDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["EmbedFilesPlugin"]
        ),

        // Exports: CSV, Markdown and the printable HTML report. Pure rendering, no I/O.
        .target(name: "WerkstattReports", dependencies: ["WerkstattDomain"]),

        // The workshop's rules and use cases: who may do what in which phase, and the
        // exports. The API, the command line and the demo all go through it; it knows
        // nothing of HTTP (ArchitectureTests keeps it so).
        .target(
            name: "WerkstattRules",
            dependencies: ["WerkstattDomain", "WerkstattStore", "WerkstattReports"]
        ),

        // The aggregation worker: claims dirty rounds and writes ranking snapshots.
        .target(
            name: "WerkstattWorker",
            dependencies: [
                "WerkstattDomain",
                "WerkstattStore",
                "WerkstattVoting",
                "WerkstattOpinionMap",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // `werkstatt demo`: two workshops built from the real processes (demo/workshops.json).
        .target(
            name: "WerkstattDemo",
            dependencies: [
                "WerkstattRules",
                "WerkstattDomain",
                "WerkstattStore",
                "WerkstattVoting",
                "WerkstattWorker",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedFilesPlugin"]
        ),

        // HTTP API: Hummingbird application, controllers, problem+json.
        .target(
            name: "WerkstattAPI",
            dependencies: [
                "WerkstattRules",
                "WerkstattDomain",
                "WerkstattStore",
                "WerkstattVoting",
                "WerkstattReports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["EmbedFilesPlugin"]
        ),

        // The `werkstatt` command.
        .executableTarget(
            name: "werkstatt",
            dependencies: [
                "WerkstattAPI",
                "WerkstattRules",
                "WerkstattDomain",
                "WerkstattStore",
                "WerkstattWorker",
                "WerkstattDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Build-time tool: compiles sql/*.sql and docs/openapi.yaml into the binary.
        .executableTarget(name: "EmbedFiles"),
        .plugin(name: "EmbedFilesPlugin", capability: .buildTool(), dependencies: ["EmbedFiles"]),

        // `swift run -c release VotingBenchmark`: the pure methods at 10⁴–10⁶ ballots;
        // `… VotingBenchmark --cap`: the worst rounds at the item cap (Round.maxItems).
        .executableTarget(name: "VotingBenchmark", dependencies: ["WerkstattVoting", "WerkstattDomain", "BenchmarkSupport"]),
        // `swift run -c release OpinionMapBenchmark`: maps of up to 10,000 participants × 500 theses.
        .executableTarget(name: "OpinionMapBenchmark", dependencies: ["WerkstattOpinionMap", "WerkstattVoting", "BenchmarkSupport"]),
        // Timing, /proc memory and child runs, shared by the benchmark executables.
        .target(name: "BenchmarkSupport"),

        .testTarget(name: "WerkstattVotingTests", dependencies: ["WerkstattVoting"]),
        .testTarget(name: "WerkstattOpinionMapTests", dependencies: ["WerkstattOpinionMap", "WerkstattVoting"]),
        .testTarget(name: "WerkstattDomainTests", dependencies: ["WerkstattDomain"]),
        .testTarget(
            name: "WerkstattTests",
            dependencies: [
                "WerkstattAPI",
                "WerkstattStore",
                "WerkstattWorker",
                "WerkstattVoting",
                "WerkstattReports",
                "WerkstattDemo",
                "WerkstattOpinionMap",
                "WerkstattRules",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)
