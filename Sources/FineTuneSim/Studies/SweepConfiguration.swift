/// One point of a sweep: what to simulate, with its index in the sweep's full cartesian product.
public struct SweepConfiguration: Sendable, Equatable {
    /// Fixed padded length, or a dataset's length histogram.
    public enum Shape: Sendable, Equatable {
        case seq(Int)
        case dataset(String)
    }

    /// Position in the full product (shards and resumes keep it).
    public var index: Int
    /// Model id (or path) as given.
    public var model: String
    /// GPU id (or path) as given.
    public var gpu: String
    /// Fine-tuning method; nil for the model's preset.
    public var method: FineTuneMethod.Kind?
    /// Experts per token; nil for the model's own.
    public var topK: Int?
    /// Queries per step.
    public var batch: Int
    /// Sequence length or dataset.
    public var shape: Shape
    /// GPU resource scales.
    public var bandwidthScale: Double, smsScale: Double, computeScale: Double, memoryScale: Double
}

/// The axes of a sweep; `configurations` enumerates their cartesian product in a fixed order
/// (model, GPU, method, top-k, sequence or dataset, batch, bandwidth, SMs, compute, memory — the last varies fastest).
public struct SweepAxes: Sendable, Equatable {
    public var models: [String]
    public var gpus: [String]
    /// Methods; `[nil]` for each model's preset.
    public var methods: [FineTuneMethod.Kind?] = [nil]
    /// Top-k values; `[nil]` for each model's own.
    public var topKs: [Int?] = [nil]
    public var batches: [Int] = [1]
    public var shapes: [SweepConfiguration.Shape] = [.seq(128)]
    public var bandwidthScales: [Double] = [1]
    public var smsScales: [Double] = [1]
    public var computeScales: [Double] = [1]
    public var memoryScales: [Double] = [1]

    /// Creates sweep axes.
    public init(models: [String], gpus: [String]) {
        self.models = models
        self.gpus = gpus
    }

    /// Checks that every axis is non-empty and every value in range.
    public func validate() throws(SimulatorError) {
        for (name, n) in [
            ("--model", models.count), ("--gpu", gpus.count), ("--method", methods.count), ("--top-k", topKs.count),
            ("--batch", batches.count), ("--seq/--dataset", shapes.count), ("--scale bandwidth", bandwidthScales.count),
            ("--scale sms", smsScales.count), ("--scale compute", computeScales.count), ("--scale memory", memoryScales.count),
        ]
        where n == 0 {
            throw SimulatorError(source: name, "needs at least one value")
        }
        for b in batches where b < 1 { throw SimulatorError(source: "--batch", "must be at least 1, got \(b)") }
        for s in shapes { if case .seq(let n) = s, n < 1 { throw SimulatorError(source: "--seq", "must be at least 1, got \(n)") } }
        for (name, vs) in [("bandwidth", bandwidthScales), ("sms", smsScales), ("compute", computeScales), ("memory", memoryScales)] {
            for v in vs where !(v > 0 && v.isFinite) { throw SimulatorError(source: "--scale", key: name, "must be positive, got \(v)") }
        }
    }

    /// The number of configurations.
    public var count: Int {
        [
            models.count, gpus.count, methods.count, topKs.count, shapes.count, batches.count, bandwidthScales.count, smsScales.count,
            computeScales.count, memoryScales.count,
        ].reduce(1, *)
    }

    /// Every configuration, in index order.
    public var configurations: [SweepConfiguration] {
        var out: [SweepConfiguration] = []
        out.reserveCapacity(count)
        for m in models {
            for g in gpus {
                for me in methods {
                    for k in topKs {
                        for s in shapes {
                            for b in batches {
                                for bw in bandwidthScales {
                                    for sm in smsScales {
                                        for c in computeScales {
                                            for mem in memoryScales {
                                                out.append(
                                                    SweepConfiguration(
                                                        index: out.count, model: m, gpu: g, method: me, topK: k, batch: b, shape: s,
                                                        bandwidthScale: bw, smsScale: sm, computeScale: c, memoryScale: mem))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Parses a shard `I/N` (1 ≤ I ≤ N).
    public static func parseShard(_ text: String) throws(SimulatorError) -> (index: Int, count: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw SimulatorError(source: "--shard", "expected I/N with 1 <= I <= N, got '\(text)'")
        }
        return (i, n)
    }
}

/// One sweep result row: the configuration's inputs and the simulated results.
public struct SweepRow: Sendable {
    public var configuration: SweepConfiguration
    /// The resolved method and top-k (presets filled in).
    public var method: String
    public var topK: Int?
    public var fits: Bool
    public var stepTime: Double
    public var throughput: Double
    public var tokensPerSecond: Double
    public var peakMemoryGB: Double
    /// Largest batch that fits (0 when not even one query does; capped at ``Sweep/maxBatchLimit``).
    public var maxBatch: Int
    /// Dollars per million (padded) tokens, when the GPU has a price.
    public var usdPerMillionTokens: Double?
    /// MoE layers' share of forward + backward wall time.
    public var moeShare: Double

    /// Column names, inputs first.
    public static let inputColumns = [
        "config_index", "model", "gpu", "method", "top_k", "batch", "seq", "dataset", "bandwidth_scale", "sms_scale", "compute_scale",
        "memory_scale",
    ]
    public static let resultColumns = [
        "fits", "step_time_s", "throughput_qps", "tokens_per_s", "peak_memory_gb", "max_batch", "usd_per_million_tokens", "moe_share",
    ]
    public static var columns: [String] { inputColumns + resultColumns }

    /// Input values as JSON (nil = empty).
    public static func inputValues(_ c: SweepConfiguration, method: String, topK: Int?) -> [JSONValue] {
        var seq: JSONValue = .null, dataset: JSONValue = .null
        switch c.shape {
        case .seq(let n): seq = .int(n)
        case .dataset(let d): dataset = .string(d)
        }
        return [
            .int(c.index), .string(c.model), .string(c.gpu), .string(method), topK.map { .int($0) } ?? .null, .int(c.batch), seq, dataset,
            .number(c.bandwidthScale), .number(c.smsScale), .number(c.computeScale), .number(c.memoryScale),
        ]
    }

    var values: [JSONValue] {
        Self.inputValues(configuration, method: method, topK: topK) + [
            .bool(fits), .number(stepTime), .number(throughput), .number(tokensPerSecond), .number(peakMemoryGB), .int(maxBatch),
            usdPerMillionTokens.map { .number($0) } ?? .null, .number(moeShare),
        ]
    }

    /// The CSV header line (with its newline).
    public static var csvHeader: String { columns.joined(separator: ",") + "\n" }

    /// The row as one CSV line (with its newline).
    public var csvLine: String { Self.csv(values) + "\n" }

    /// The row as one JSON Lines object (with its newline).
    public var jsonLine: String { JSONValue.object(Array(zip(Self.columns, values))).rendered(pretty: false) + "\n" }

    static func csv(_ values: [JSONValue]) -> String {
        values.map { v -> String in
            switch v {
            case .null: return ""
            case .string(let s):
                return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            default: return v.rendered(pretty: false)
            }
        }.joined(separator: ",")
    }
}
