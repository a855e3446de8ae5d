/// An event in the engine's queue, ordered by (time, insertion order) so that ties resolve the same
/// way on every run.
struct EngineEvent: Comparable, Sendable {
    enum Action: Sendable, Equatable {
        /// The host thread is free to issue its next operation.
        case hostReady
        /// A stream finished its last queued kernel (posted while the host waits on it).
        case kernelDone(stream: Int)
    }

    var time: Double
    var sequence: Int
    var action: Action

    static func < (a: EngineEvent, b: EngineEvent) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }

    static func == (a: EngineEvent, b: EngineEvent) -> Bool { a.time == b.time && a.sequence == b.sequence }
}
