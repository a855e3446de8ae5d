import XCTest

@testable import FineTuneSim

/// The discrete-event engine's ordering, overlap and synchronization.
final class EngineTests: XCTestCase {
    var params: CalibrationParameters {
        var p = CalibrationParameters()
        p["host_launch_forward_s"] = 1e-3
        p["host_launch_backward_s"] = 1e-3
        p["host_sync_s"] = 0
        p["host_step_s"] = 0
        p["kernel_latency_s"] = 0
        p["kernel_gap_s"] = 0
        p["min_kernel_s"] = 0
        p["memory_efficiency"] = 1
        return p
    }

    /// A kernel that takes `seconds` on the toy GPU (memory-bound: 1000 GB/s).
    func kernel(_ name: String, seconds: Double) -> Kernel {
        Kernel(name: name, kind: .elementwise, layer: .head, phase: .forward, flops: 0, bytes: seconds * 1e12)
    }

    func program(_ ops: [HostOp], _ kernels: [Kernel]) -> Program {
        Program(segments: [Segment(label: "s", kernels: kernels, ops: ops)], order: [0], residentBytes: 0, residentBreakdown: [])
    }

    func testGPUBoundKernelsQueueBehindEachOther() {
        // Two 10 ms kernels launched 1 ms apart: the second waits for the first; the step ends at 21 ms.
        let p = program([.launch(0), .launch(1)], [kernel("a", seconds: 0.01), kernel("b", seconds: 0.01)])
        let r = Engine(cost: CostModel(gpu: toyGPU, parameters: params)).run(p, recordTimeline: true)
        let t = r.timeline!.kernels
        XCTAssertEqual(t[0].start, 0.001, accuracy: 1e-12)
        XCTAssertEqual(t[1].start, t[0].end, accuracy: 1e-12)
        XCTAssertEqual(r.stepTime, 0.021, accuracy: 1e-12)
    }

    func testHostBoundLaunchesHideShortKernels() {
        // Ten 0.1 ms kernels, each launch 1 ms: the GPU idles between them; the host sets the pace.
        let ks = (0..<10).map { kernel("k\($0)", seconds: 1e-4) }
        let p = program((0..<10).map { .launch(Int32($0)) }, ks)
        let r = Engine(cost: CostModel(gpu: toyGPU, parameters: params)).run(p)
        XCTAssertEqual(r.stepTime, 0.0101, accuracy: 1e-12)
    }

    func testSyncMakesHostWaitForGPU() {
        // A 10 ms kernel, a sync, then a launch: the second kernel cannot be issued before 10 ms + launch.
        let p = program([.launch(0), .sync, .launch(1)], [kernel("a", seconds: 0.01), kernel("b", seconds: 0.001)])
        let r = Engine(cost: CostModel(gpu: toyGPU, parameters: params)).run(p, recordTimeline: true)
        let t = r.timeline!.kernels
        XCTAssertEqual(t[1].start, 0.011 + 0.001, accuracy: 1e-12)
        XCTAssertEqual(r.hostWaitTime, 0.01, accuracy: 1e-12)
        XCTAssertEqual(r.timeline!.syncs.count, 1)
    }

    func testRepeatedSegmentsMatchFullSimulation() {
        // Memoized repeats give the same answer as distinct segments with identical contents.
        let seg = Segment(
            label: "layer", kernels: [kernel("a", seconds: 0.002), kernel("b", seconds: 0.0005)], ops: [.launch(0), .launch(1)])
        let repeated = Program(segments: [seg], order: Array(repeating: 0, count: 20), residentBytes: 0, residentBreakdown: [])
        let distinct = Program(segments: Array(repeating: seg, count: 20), order: Array(0..<20), residentBytes: 0, residentBreakdown: [])
        let e = Engine(cost: CostModel(gpu: toyGPU, parameters: params))
        XCTAssertEqual(e.run(repeated).stepTime, e.run(distinct).stepTime, accuracy: 1e-12)
        XCTAssertEqual(e.run(repeated, recordTimeline: true).timeline!.kernels.count, 40)
    }

    /// The shortcuts (memoized offsets, closed form for sync-free segments) give the same step as the full
    /// event simulation that records every kernel.
    func testShortcutsMatchFullEventSimulation() throws {
        for (id, k) in [("mixtral-8x7b", 2), ("blackmamba-2.8b", 8)] {
            let m = try model(id, topK: k)
            for batch in [1, 6] {
                let p = Lowering.lower(model: m, method: m.preset, workload: Workload(batch: batch, seq: 128))
                let e = Engine(cost: CostModel(gpu: try catalog.gpu("a40"), parameters: CalibrationParameters()))
                let fast = e.run(p), full = e.run(p, recordTimeline: true)
                XCTAssertEqual(fast.stepTime, full.stepTime, accuracy: 1e-9 * full.stepTime, "\(id) batch \(batch)")
                XCTAssertEqual(full.timeline!.kernels.count, p.kernelCount)
                // The step ends with the last kernel or, later, with the trainer's host bookkeeping after it.
                let lastEnd = full.timeline!.kernels.last!.end
                XCTAssertGreaterThanOrEqual(full.stepTime, lastEnd - 1e-9)
                XCTAssertLessThanOrEqual(full.stepTime, lastEnd + CalibrationParameters()["host_step_s"] + 1e-9)
            }
        }
    }

    func testEventOrderBreaksTiesByInsertion() {
        var a = EngineEvent(time: 1, sequence: 2, action: .hostReady)
        let b = EngineEvent(time: 1, sequence: 1, action: .kernelDone(stream: 0))
        XCTAssertTrue(b < a)
        a.time = 0.5
        XCTAssertTrue(a < b)
    }

    func testDeterministic() throws {
        let m = try model("mixtral-8x7b", topK: 2)
        let sim = Simulator(gpu: try catalog.gpu("a40"), parameters: try catalog.calibration())
        let a = sim.simulate(model: m, method: m.preset, workload: Workload(batch: 4, seq: 128)).json().rendered()
        let b = sim.simulate(model: m, method: m.preset, workload: Workload(batch: 4, seq: 128)).json().rendered()
        XCTAssertEqual(a, b)
    }
}
