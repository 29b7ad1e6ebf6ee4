import ArgumentParser
import WerkstattWorker

/// How long the worker keeps ranking snapshots it may prune (`worker`, `serve --with-worker`).
struct RetentionOptions: ParsableArguments {
    @Option(name: .customLong("snapshot-retention"),
            help: "Seconds a superseded provisional snapshot no reader was shown is kept before the worker prunes it; 0 keeps every snapshot.")
    var seconds = Int(SnapshotRetention.defaultAge.components.seconds)

    var retention: SnapshotRetention? {
        seconds > 0 ? SnapshotRetention(age: .seconds(seconds)) : nil
    }
}
