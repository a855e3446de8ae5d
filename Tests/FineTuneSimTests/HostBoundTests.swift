import Foundation
import XCTest

@testable import FineTuneSim

/// Host-bound time (the GPU idle, waiting for the host) in the report, its JSON keys, table row, chart bar
/// and trace tracks; and the host a run assumes (`--host-speed`, else the GPU file's `host:` block, else the
/// reference).
final class HostBoundTests: XCTestCase {
    func mixtralTop2(on gpuID: String = "h100-sxm5-80gb", host: HostSpec? = nil, batch: Int = 1) throws -> StepReport {
        let m = try model("mixtral-8x7b", topK: 2)
        let sim = Simulator(gpu: try catalog.gpu(gpuID), parameters: try catalog.calibration(), host: host)
        return sim.simulate(model: m, method: m.preset, workload: Workload(batch: batch, seq: 128))
    }

    func object(_ v: JSONValue) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(v.rendered().utf8)) as? [String: Any])
    }

    func testJSONKeysAreConsistentAndAHostHeavyStepIsHostBound() throws {
        let r = try mixtralTop2()
        let o = try object(r.json())
        let step = try XCTUnwrap(o["step_time_s"] as? Double)
        let busy = try XCTUnwrap(o["gpu_busy_s"] as? Double)
        let bound = try XCTUnwrap(o["host_bound_s"] as? Double)
        let sync = try XCTUnwrap(o["sync_wait_s"] as? Double)
        XCTAssertLessThanOrEqual(bound, step)
        XCTAssertGreaterThan(sync, 0, "Mixtral's expert loop synchronizes per expert")
        XCTAssertLessThanOrEqual(sync, step)
        XCTAssertEqual(bound + busy, step, accuracy: 1e-9 * step, "host-bound = step − GPU busy")
        XCTAssertEqual(try XCTUnwrap(o["host_bound_share"] as? Double), bound / step, accuracy: 1e-12)
        XCTAssertGreaterThan(bound / step, 0.5, "Mixtral top-2 at batch 1 on an H100 waits on the host most of the step")
        XCTAssertEqual(o["host_cpu"] as? String, "Intel Xeon Platinum 8380")
        XCTAssertEqual(o["host_speed"] as? Double, 1)
        XCTAssertEqual(o["host_source"] as? String, "reference")

        // Twice as fast a host: less host-bound time, a shorter step, the same GPU work.
        let fast = try mixtralTop2(host: try HostSpec.flag(2))
        XCTAssertLessThan(fast.gpuIdle, 0.6 * r.gpuIdle)
        XCTAssertLessThan(fast.stepTime, r.stepTime)
        XCTAssertEqual(fast.gpuBusy, r.gpuBusy, accuracy: 1e-12)
        XCTAssertEqual(fast.host.singleThreadSpeed, 2)
        // A faster GPU barely helps a host-bound step.
        let b200 = try mixtralTop2(on: "b200")
        XCTAssertGreaterThan(b200.hostBoundShare, r.hostBoundShare)
    }

    func testTableShowsTheHostAndTheHostBoundRow() throws {
        let text = try mixtralTop2().table(title: "t")
        XCTAssertTrue(text.contains("host           Intel Xeon Platinum 8380 (the reference host"), text)
        XCTAssertTrue(text.contains("host-bound (GPU idle, waiting for the host)"), text)
        XCTAssertTrue(text.contains("sync waits (host blocked on the GPU)"), text)
        XCTAssertTrue(text.contains("Host-bound: the GPU waits for the host"), text)
        let flagged = try mixtralTop2(host: try HostSpec.flag(1.5)).table(title: "t")
        XCTAssertTrue(flagged.contains("host           --host-speed 1.5: single-thread speed 1.50×"), flagged)
    }

    func testChartHasAHostBoundBarAndBarsAddUpToTheStep() throws {
        let r = try mixtralTop2()
        let chart = StepCharts(report: r, gpu: try catalog.gpu("h100-sxm5-80gb"), title: "t").breakdown
        XCTAssertEqual(chart.categories, ["forward", "backward", "optimizer", "host overhead"])
        let idle = try XCTUnwrap(chart.segments.firstIndex { $0.name == StepCharts.hostBoundSegment })
        let drawnIdle = chart.categories.indices.reduce(0) { $0 + chart.value(segment: idle, category: $1) }
        XCTAssertEqual(drawnIdle, r.gpuIdle, accuracy: 1e-6 * r.stepTime)
        XCTAssertEqual(chart.totals.reduce(0, +), r.stepTime, accuracy: 1e-6 * r.stepTime)
        XCTAssertTrue(chart.svg().contains("host-bound (GPU idle)"))
    }

    func testChromeTraceHasAHostTrackAndAnIdleTrack() throws {
        let m = try model("mixtral-8x7b", topK: 2)
        let sim = Simulator(gpu: try catalog.gpu("h100-sxm5-80gb"), parameters: try catalog.calibration())
        let run = sim.run(model: m, method: m.preset, workload: Workload(batch: 1, seq: 32), recordTimeline: true)
        let o = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(ChromeTrace(run: run)).rendered().utf8)) as? [String: Any])
        let events = try XCTUnwrap(o["traceEvents"] as? [[String: Any]])
        let names = events.filter { $0["name"] as? String == "thread_name" }.compactMap {
            ($0["args"] as? [String: Any])?["name"] as? String
        }
        XCTAssertEqual(names, ["host", "GPU stream 0", "GPU idle (waiting for the host)"])
        let host = events.filter { $0["ph"] as? String == "X" && $0["tid"] as? Int == ChromeTrace.hostThread }
        let cats = Dictionary(grouping: host, by: { $0["cat"] as? String ?? "" }).mapValues(\.count)
        XCTAssertEqual(cats["launch"], run.program.kernelCount, "one launch slice per kernel")
        XCTAssertEqual(cats["framework"].map { $0 > 0 }, true, "peft / bitsandbytes wrapper calls")
        XCTAssertEqual(cats["host"], 1, "the step overhead")
        XCTAssertGreaterThan(cats["sync"] ?? 0, 0)
        // Host slices never overlap: one thread, in time order.
        var end = 0.0
        for e in host {
            let ts = (e["ts"] as! NSNumber).doubleValue, dur = (e["dur"] as! NSNumber).doubleValue
            XCTAssertGreaterThanOrEqual(ts, end - 1e-5, "rounded to picoseconds")
            end = ts + dur
        }
        let idle = events.filter { $0["ph"] as? String == "X" && $0["tid"] as? Int == ChromeTrace.idleThread }
        let idleSeconds = idle.reduce(0) { $0 + ($1["dur"] as! NSNumber).doubleValue } / 1e6
        XCTAssertEqual(idleSeconds, run.report.gpuIdle, accuracy: 1e-6 * run.report.stepTime, "idle slices add up to host_bound_s")
    }

    // MARK: - The host assumed

    func gpuYAML(host: String) -> String {
        """
        name: "Test GPU"
        sms: 100
        boost_mhz: 1500
        bf16_tensor_tflops: 300
        fp32_tflops: 20
        memory_gb: 80
        bandwidth_gbs: 2000
        \(host)
        """
    }

    func gpu(host: String) throws(SimulatorError) -> GPUSpec {
        try GPUSpec(node: try ConfigNode.parse(yaml: gpuYAML(host: host), source: "test.yaml"), id: "test")
    }

    func testHostBlockIsReadAndPrecedenceIsFlagThenFileThenReference() throws {
        let g = try gpu(host: "host: {cpu: \"AMD EPYC 7742\", single_thread_speed: 1.25, notes: \"example\"}")
        XCTAssertEqual(g.host?.cpu, "AMD EPYC 7742")
        XCTAssertEqual(g.host?.singleThreadSpeed, 1.25)
        XCTAssertEqual(g.host?.source, .gpuFile)
        XCTAssertEqual(try HostSpec.effective(speedFlag: nil, gpu: g), g.host)
        XCTAssertEqual(try HostSpec.effective(speedFlag: 3, gpu: g).singleThreadSpeed, 3, "--host-speed wins")
        XCTAssertEqual(try HostSpec.effective(speedFlag: nil, gpu: try gpu(host: "")), .reference)
        XCTAssertEqual(try gpu(host: "host: {cpu: \"Some CPU\"}").host?.singleThreadSpeed, 1, "speed defaults to the reference's")
        // The simulator applies the GPU file's host by default, as the flag would.
        let p = try catalog.calibration()
        let m = try model("llama-2-7b")
        let w = Workload(batch: 1, seq: 128)
        let fromFile = Simulator(gpu: g, parameters: p).simulate(model: m, method: m.preset, workload: w)
        let fromFlag = Simulator(gpu: g, parameters: p, host: try HostSpec.flag(1.25)).simulate(model: m, method: m.preset, workload: w)
        XCTAssertEqual(fromFile.stepTime, fromFlag.stepTime)
        XCTAssertEqual(fromFile.host.cpu, "AMD EPYC 7742")
        let reference = Simulator(gpu: try gpu(host: ""), parameters: p).simulate(model: m, method: m.preset, workload: w)
        XCTAssertLessThan(fromFile.stepTime, reference.stepTime)
    }

    func testBadHostBlocksNameTheFileAndKey() {
        let cases: [(String, String, String)] = [
            ("host: {cpu: \"X\", speed: 2}", "host.speed", "unknown key"),
            ("host: {cpu: \"X\", single_thread_speed: 0}", "host.single_thread_speed", "must be positive"),
            ("host: {cpu: \"X\", single_thread_speed: -1.5}", "host.single_thread_speed", "must be positive"),
            ("host: {cpu: \"X\", single_thread_speed: .inf}", "host.single_thread_speed", "not a finite number"),
            ("host: {cpu: \"X\", single_thread_speed: fast}", "host.single_thread_speed", "not a number"),
            ("host: {single_thread_speed: 2}", "host.cpu", "required key is missing"),
            ("host: {cpu: \"\"}", "host.cpu", "empty"),
            ("host: \"Xeon\"", "host", "is not a mapping"),
        ]
        for (yaml, key, needle) in cases {
            do {
                _ = try gpu(host: yaml)
                XCTFail("accepted \(yaml)")
            } catch {
                XCTAssertEqual(error.source, "test.yaml", yaml)
                XCTAssertEqual(error.key, key, yaml)
                XCTAssertTrue(error.message.contains(needle), "\(yaml): \(error.message)")
            }
        }
        for bad in [0.0, -2, .infinity, .nan] {
            XCTAssertThrowsError(try HostSpec.flag(bad)) { XCTAssertEqual(($0 as? SimulatorError)?.source, "--host-speed") }
        }
    }

    func testShippedHostBlocksCiteTheirSource() throws {
        for id in catalog.ids("gpus") {
            if let h = try catalog.gpu(id).host { XCTAssertFalse(h.notes.isEmpty, "\(id): a host pairing needs its source in notes") }
        }
    }
}
