import Foundation

/// Lowered programs kept across simulations that differ only in cost parameters (a calibration loop
/// evaluates the same steps under many parameter vectors; lowering does not depend on them).
public final class ProgramCache: @unchecked Sendable {
    private var programs: [String: Program] = [:]
    private let lock = NSLock()

    /// An empty cache.
    public init() {}

    /// The program for a step, lowered once.
    public func program(model: ModelSpec, method: FineTuneMethod, workload: Workload, memory: LoweringMemory) -> Program {
        let key =
            "\(model.id)|\(model.moe?.topK ?? 0)|\(method)|\(workload.batch)|\(workload.seq)|\(workload.gradAccum)|\(workload.routing.label)|\(memory.routedScale)|\(memory.routedRetained)"
        lock.lock()
        if let p = programs[key] { lock.unlock(); return p }
        lock.unlock()
        let p = Lowering.lower(model: model, method: method, workload: workload, memory: memory)
        lock.lock()
        programs[key] = p
        lock.unlock()
        return p
    }
}
