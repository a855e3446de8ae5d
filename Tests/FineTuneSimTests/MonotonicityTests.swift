import XCTest

@testable import FineTuneSim

/// More work never takes less time, and more hardware never makes a step slower: the simulated step time is
/// non-decreasing in batch, sequence length and LoRA rank, and non-increasing in every GPU resource, over
/// fine grids for Mixtral-8x7B, Llama-2-7B and BlackMamba-2.8B with their presets; and a single matrix
/// product's time is non-decreasing in m, n, k and batch.
final class MonotonicityTests: XCTestCase {
    /// Relative slack for floating-point noise (sums in a different order); violations were percents.
    let tolerance = 1e-9

    static let models = ["mixtral-8x7b", "llama-2-7b", "blackmamba-2.8b"]

    struct Violation: CustomStringConvertible {
        var what: String
        var before: Double
        var after: Double
        var description: String { "\(what): \(before) s → \(after) s (\(100 * (after / before - 1))%)" }
    }

    /// Checks that `values` (in grid order) never decrease (or never increase when `increasing` is false).
    func check(_ values: [(label: String, time: Double)], increasing: Bool = true, into out: inout [Violation]) {
        for (a, b) in zip(values, values.dropFirst()) {
            let worse = increasing ? b.time < a.time * (1 - tolerance) : b.time > a.time * (1 + tolerance)
            if worse { out.append(Violation(what: "\(a.label) → \(b.label)", before: a.time, after: b.time)) }
        }
    }

    func assertNone(_ v: [Violation], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(v.isEmpty, "\(v.count) \(what) violations, first: \(v.prefix(5).map(\.description))", file: file, line: line)
    }

    func setUp(_ id: String) throws -> (ModelSpec, FineTuneMethod) {
        let m = try model(id)
        return (m, m.preset)
    }

    // MARK: - One matrix product

    func testMatmulTimeIsNonDecreasingInEveryDimension() throws {
        let params = try catalog.calibration()
        var v: [Violation] = []
        let ms: [Double] = (1...96).map { Double($0 * 8) } + (13...64).map { Double($0 * 64) }
        let ns: [Double] = [1, 8, 16, 64, 100, 128, 200, 1472, 4096, 14336, 32000]
        let ks: [Double] = [16, 64, 127, 128, 129, 200, 255, 256, 1472, 4096, 14336]
        for gpuID in ["a40", "h100-sxm5-80gb", "l4"] {
            let cost = CostModel(gpu: try catalog.gpu(gpuID), parameters: params)
            func t(_ m: Double, _ n: Double, _ k: Double, _ b: Double = 1) -> Double {
                cost.duration(
                    Kernel(
                        name: "g", kind: .gemm, layer: .mlp, phase: .forward, flops: 2 * m * n * k * b,
                        bytes: 2 * (m * k + k * n + m * n) * b,
                        m: m, n: n, k: k, batch: b))
            }
            // Compute time alone as well (the duration's memory side is monotone by construction).
            func u(_ m: Double, _ n: Double, _ k: Double, _ b: Double = 1) -> Double {
                let kern = Kernel(
                    name: "g", kind: .gemm, layer: .mlp, phase: .forward, flops: 2 * m * n * k * b, bytes: 0, m: m, n: n, k: k, batch: b)
                return kern.flops / cost.waveUtilization(kern)
            }
            for f in [t, u] {
                for n in ns {
                    for k in ks { check(ms.map { ("\(gpuID) m=\($0) n=\(n) k=\(k)", f($0, n, k, 1)) }, into: &v) }
                }
                for m in [1.0, 32, 100, 128, 1000, 4096] {
                    for k in ks {
                        check((1...128).map { ("\(gpuID) m=\(m) n=\(Double($0 * 32)) k=\(k)", f(m, Double($0 * 32), k, 1)) }, into: &v)
                    }
                    for n in ns {
                        check((1...160).map { ("\(gpuID) m=\(m) n=\(n) k=\(Double($0 * 16))", f(m, n, Double($0 * 16), 1)) }, into: &v)
                    }
                    for n in [16.0, 128, 4096] {
                        check(
                            (1...64).map { ("\(gpuID) m=\(m) n=\(n) batch=\(Double($0) * 0.5)", f(m, n, 128, Double($0) * 0.5)) }, into: &v)
                    }
                }
            }
            // More SMs (with the rates that come with them) never slow a product down.
            for (m, n, k) in [(32.0, 14336.0, 4096.0), (128, 4096, 4096), (1000, 16, 4096), (4096, 4096, 14336), (8, 8, 4096)] {
                let scales = stride(from: 0.25, through: 3, by: 0.05).map { $0 }
                let times = scales.map { s -> (String, Double) in
                    let c = CostModel(gpu: try! catalog.gpu(gpuID).scaled(sms: s), parameters: params)
                    let kern = Kernel(
                        name: "g", kind: .gemm, layer: .mlp, phase: .forward, flops: 2 * m * n * k, bytes: 0, m: m, n: n, k: k)
                    return ("\(gpuID) \(m)×\(n)×\(k) sms×\(s)", c.duration(kern))
                }
                check(times, increasing: false, into: &v)
            }
        }
        assertNone(v, "matmul")
    }

    // MARK: - Whole steps

    func testStepTimeIsNonDecreasingInBatch() throws {
        let params = try catalog.calibration()
        var v: [Violation] = []
        for id in Self.models {
            let (m, method) = try setUp(id)
            for gpuID in ["a40", "h100-sxm5-80gb"] {
                let sim = Simulator(gpu: try catalog.gpu(gpuID), parameters: params)
                for seq in [128, 200] {
                    check(
                        (1...16).map { b in
                            (
                                "\(id) \(gpuID) seq \(seq) batch \(b)",
                                sim.simulate(model: m, method: method, workload: Workload(batch: b, seq: seq)).stepTime
                            )
                        }, into: &v)
                }
            }
        }
        // Skewed routing: the water-filled expert loads grow with the batch too.
        let (mixtral, qlora) = try setUp("mixtral-8x7b")
        let sim = Simulator(gpu: try catalog.gpu("h100-sxm5-80gb"), parameters: params)
        for routing in [Routing.zipf(1.2), .zipf(3)] {
            check(
                (1...16).map { b in
                    (
                        "mixtral \(routing.label) batch \(b)",
                        sim.simulate(model: mixtral, method: qlora, workload: Workload(batch: b, seq: 96, routing: routing)).stepTime
                    )
                }, into: &v)
        }
        assertNone(v, "batch")
    }

    func testStepTimeIsNonDecreasingInSequenceLength() throws {
        let params = try catalog.calibration()
        var v: [Violation] = []
        for id in Self.models {
            let (m, method) = try setUp(id)
            let sim = Simulator(gpu: try catalog.gpu("h100-sxm5-80gb"), parameters: params)
            let a40 = Simulator(gpu: try catalog.gpu("a40"), parameters: params)
            // Steps of 64 over the whole range, steps of 8 where tiles are ragged.
            check(
                stride(from: 64, through: 2048, by: 64).map { s in
                    ("\(id) h100 batch 2 seq \(s)", sim.simulate(model: m, method: method, workload: Workload(batch: 2, seq: s)).stepTime)
                }, into: &v)
            check(
                stride(from: 64, through: 512, by: 8).map { s in
                    ("\(id) a40 batch 1 seq \(s)", a40.simulate(model: m, method: method, workload: Workload(batch: 1, seq: s)).stepTime)
                }, into: &v)
            check(
                stride(from: 64, through: 320, by: 8).map { s in
                    ("\(id) h100 batch 3 seq \(s)", sim.simulate(model: m, method: method, workload: Workload(batch: 3, seq: s)).stepTime)
                }, into: &v)
        }
        assertNone(v, "sequence length")
    }

    func testStepTimeIsNonDecreasingInLoRARank() throws {
        let params = try catalog.calibration()
        var v: [Violation] = []
        let ranks = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]
        for id in ["mixtral-8x7b", "llama-2-7b"] {
            let (m, preset) = try setUp(id)
            for gpuID in ["a40", "h100-sxm5-80gb"] {
                let sim = Simulator(gpu: try catalog.gpu(gpuID), parameters: params)
                for b in [1, 6] {
                    check(
                        ranks.map { r in
                            var method = preset
                            method.loraRank = r
                            return (
                                "\(id) \(gpuID) batch \(b) rank \(r)",
                                sim.simulate(model: m, method: method, workload: Workload(batch: b, seq: 128)).stepTime
                            )
                        }, into: &v)
                }
            }
        }
        assertNone(v, "LoRA rank")
    }

    func testStepTimeIsNonIncreasingInEveryGPUResource() throws {
        let params = try catalog.calibration()
        let cache = ProgramCache()
        let base = try catalog.gpu("h100-sxm5-80gb")
        let scales = [0.5, 0.7, 0.85, 1, 1.1, 1.3, 1.6, 2, 3]
        let resources: [(String, (GPUSpec, Double) -> GPUSpec)] = [
            ("sms", { g, s in g.scaled(sms: s) }),
            ("bandwidth", { g, s in g.scaled(bandwidth: s) }),
            ("clock", { g, s in g.scaled(compute: s) }),
            (
                "tensor rate",
                { g, s in
                    var x = g; x.bf16TensorTFLOPS *= s; x.tf32TensorTFLOPS = x.tf32TensorTFLOPS.map { $0 * s }
                    x.fp8TensorTFLOPS = x.fp8TensorTFLOPS.map { $0 * s }; x.int8TensorTOPS = x.int8TensorTOPS.map { $0 * s }; return x
                }
            ),
            (
                "vector rate",
                { g, s in
                    var x = g; x.fp32TFLOPS *= s; return x
                }
            ),
        ]
        var v: [Violation] = []
        for id in Self.models {
            let (m, method) = try setUp(id)
            for (b, seq) in [(1, 128), (4, 256), (16, 128)] {
                let w = Workload(batch: b, seq: seq)
                for (name, scale) in resources {
                    check(
                        scales.map { s in
                            let sim = Simulator(gpu: scale(base, s), parameters: params, cache: cache)
                            return ("\(id) b\(b) seq \(seq) \(name)×\(s)", sim.simulate(model: m, method: method, workload: w).stepTime)
                        }, increasing: false, into: &v)
                }
                // A faster host never slows a step either.
                check(
                    [0.5, 1, 2, 4].map { s in
                        let sim = Simulator(gpu: base, parameters: params.withHostSpeed(s), cache: cache)
                        return ("\(id) b\(b) seq \(seq) host×\(s)", sim.simulate(model: m, method: method, workload: w).stepTime)
                    }, increasing: false, into: &v)
            }
        }
        assertNone(v, "GPU resource")
    }
}
