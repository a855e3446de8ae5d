extension StepReport {
    /// The report as the JSON object `simulate --format json` prints.
    public func json(extra: [(String, JSONValue)] = []) -> JSONValue {
        var o: [(String, JSONValue)] = extra
        o += [
            ("step_time_s", .number(stepTime))
        ]
        if let i = stepTimeInterval {
            o += [("step_time_s_low", .number(i.low)), ("step_time_s_high", .number(i.high))]
        }
        o += [
            ("throughput_qps", .number(throughput))
        ]
        if let i = stepTimeInterval {
            o += [
                ("throughput_qps_low", .number(batch / i.high)), ("throughput_qps_high", .number(batch / max(i.low, 1e-12))),
                ("error_bar_pct", .number(i.percent)),
            ]
        }
        o += [
            ("tokens_per_s", .number(tokensPerSecond)),
            ("batch", .number(batch)),
            ("tokens_per_step", .number(tokens)),
            ("peak_memory_gb", .number(memory.peakGB)),
            ("fits", .bool(fits)),
            (
                "phases",
                .object([
                    ("forward", .number(phases[.forward] ?? 0)), ("backward", .number(phases[.backward] ?? 0)),
                    ("optimizer", .number(phases[.optimizer] ?? 0)),
                ])
            ),
            ("host_overhead_s", .number(hostOverhead)),
            ("layers", .object(Self.layerOrder.compactMap { k in layers[k].map { (k, JSONValue.number($0)) } })),
            ("kinds", .object(KernelKind.allCases.compactMap { k in kinds[k].map { (k.rawValue, JSONValue.number($0)) } })),
            ("kernel_launches", .number(kernelLaunches)),
            ("host_syncs", .number(syncs)),
            ("gpu_busy_s", .number(gpuBusy)),
            ("host_bound_s", .number(gpuIdle)),
            ("host_bound_share", .number(hostBoundShare)),
            ("sync_wait_s", .number(syncWait)),
            ("host_cpu", .string(host.cpu)),
            ("host_speed", .number(host.singleThreadSpeed)),
            ("host_source", .string(host.source.rawValue)),
            ("memory_gb", .object(memory.breakdown.keys.sorted().map { ($0, JSONValue.number(memory.breakdown[$0]! / 1e9)) })),
            ("peak_memory_segment", .string(memory.peakSegment)),
            (
                "kernels",
                .array(
                    kernels.map { k in
                        .object([
                            ("name", .string(k.name)), ("kind", .string(k.kind.rawValue)), ("layer", .string(k.layer.rawValue)),
                            ("phase", .string(k.phase.rawValue)), ("calls", .number(k.calls)), ("time_s", .number(k.timeSeconds)),
                            ("flops", .number(k.flops)), ("bytes", .number(k.bytes)), ("bound", .string(k.bound.rawValue)),
                        ])
                    })
            ),
        ]
        return .object(o)
    }

    /// Report keys of layer types in display order.
    public static let layerOrder = ["attention", "moe", "mamba", "mlp", "norm", "other"]

    /// The human-readable table `simulate` prints by default.
    public func table(title: String, topKernels: Int = 12) -> String {
        var out = title + "\n\n"
        let bar = stepTimeInterval.map { " ± \(NumberText.fixed($0.percent, 1))% (95%)" } ?? ""
        out += "step time      \(NumberText.duration(stepTime))\(bar)\n"
        out += "throughput     \(NumberText.fixed(throughput, 3)) queries/s, \(NumberText.fixed(tokensPerSecond, 0)) tokens/s\n"
        out +=
            "peak memory    \(NumberText.fixed(memory.peakGB, 2)) GB"
            + (fits ? " (fits)" : " — DOES NOT FIT: this step cannot run on this GPU") + "\n"
        out +=
            "launches       \(NumberText.fixed(kernelLaunches, 0)) kernels, \(NumberText.fixed(syncs, 0)) host syncs, GPU busy \(NumberText.percent(gpuBusy, of: stepTime))\n"
        out += "host           \(host.summary)\n\n"
        var t = TextTable(headers: ["phase", "seconds", "share"])
        for ph in [Phase.forward, .backward, .optimizer] {
            let v = phases[ph] ?? 0
            t.add([
                ph.rawValue + (ph == .backward ? " (incl. recompute)" : ""), NumberText.fixed(v, 4), NumberText.percent(v, of: stepTime),
            ])
        }
        t.add(["host overhead", NumberText.fixed(hostOverhead, 4), NumberText.percent(hostOverhead, of: stepTime)])
        out += t.rendered() + "\n"
        out += hostTable().rendered() + "\n"
        if hostBoundShare >= 0.5 {
            out +=
                "Host-bound: the GPU waits for the host \(NumberText.percent(gpuIdle, of: stepTime)) of the step; a faster GPU shortens only "
                + "the \(NumberText.percent(gpuBusy, of: stepTime)) it is busy (a faster host or a larger batch helps).\n\n"
        }
        var l = TextTable(headers: ["layer (fwd+bwd)", "seconds", "share"])
        let fb = layers.values.reduce(0, +)
        for k in Self.layerOrder { if let v = layers[k] { l.add([k, NumberText.fixed(v, 4), NumberText.percent(v, of: fb)]) } }
        out += l.rendered() + "\n"
        out += memoryTable().rendered() + "\n"
        var kt = TextTable(headers: ["top kernels", "kind", "layer", "phase", "calls", "GPU time", "bound"], rightAligned: [4, 5])
        for k in kernels.prefix(topKernels) {
            kt.add([
                k.name, k.kind.rawValue, k.layer.rawValue, k.phase.rawValue, NumberText.fixed(k.calls, 0),
                NumberText.duration(k.timeSeconds), k.bound.rawValue,
            ])
        }
        out += kt.rendered()
        return out
    }

    /// Where the wall time goes between the GPU and the host: GPU busy, GPU idle waiting for the host
    /// (host-bound), and the host's waits at synchronizations (which overlap GPU busy time).
    func hostTable() -> TextTable {
        var t = TextTable(headers: ["wall time", "seconds", "share"])
        t.add(["GPU busy", NumberText.fixed(gpuBusy, 4), NumberText.percent(gpuBusy, of: stepTime)])
        t.add(["host-bound (GPU idle, waiting for the host)", NumberText.fixed(gpuIdle, 4), NumberText.percent(gpuIdle, of: stepTime)])
        t.add(["sync waits (host blocked on the GPU)", NumberText.fixed(syncWait, 4), NumberText.percent(syncWait, of: stepTime)])
        return t
    }

    /// Where the peak's memory goes: resident state, then what the step allocates, then the fixed reserve.
    func memoryTable() -> TextTable {
        var t = TextTable(headers: ["memory at peak (\(memory.peakSegment))", "GB", "share"])
        let order = ["weights", "adapters", "optimizer_state", "activations_and_gradients", "framework"]
        for k in order + memory.breakdown.keys.sorted().filter({ !order.contains($0) }) {
            guard let v = memory.breakdown[k], v > 0 else { continue }
            t.add([k.replacingOccurrences(of: "_", with: " "), NumberText.fixed(v / 1e9, 2), NumberText.percent(v, of: memory.peakBytes)])
        }
        return t
    }

    /// The probability-weighted mixture of reports (the expectation over a dataset's padded lengths).
    public static func mixture(_ parts: [(weight: Double, report: StepReport)]) -> StepReport {
        precondition(!parts.isEmpty)
        var r = parts.max { $0.report.tokens < $1.report.tokens }!.report
        func avg(_ f: (StepReport) -> Double) -> Double { parts.reduce(0) { $0 + $1.weight * f($1.report) } }
        r.stepTime = avg(\.stepTime)
        r.tokens = avg(\.tokens)
        r.kernelLaunches = avg(\.kernelLaunches)
        r.syncs = avg(\.syncs)
        r.gpuBusy = avg(\.gpuBusy)
        r.syncWait = avg(\.syncWait)
        r.phases = Dictionary(uniqueKeysWithValues: [Phase.forward, .backward, .optimizer].map { p in (p, avg { $0.phases[p] ?? 0 }) })
        let layerKeys = Set(parts.flatMap { $0.report.layers.keys })
        r.layers = Dictionary(uniqueKeysWithValues: layerKeys.map { k in (k, avg { $0.layers[k] ?? 0 }) })
        let kindKeys = Set(parts.flatMap { $0.report.kinds.keys })
        r.kinds = Dictionary(uniqueKeysWithValues: kindKeys.map { k in (k, avg { $0.kinds[k] ?? 0 }) })
        // Kernel totals: expectation per (layer, name, phase).
        struct Key: Hashable { var l: LayerType; var n: String; var p: Phase }
        var ks: [Key: KernelTotal] = [:]
        var order: [Key] = []
        for (w, rep) in parts {
            for k in rep.kernels {
                let key = Key(l: k.layer, n: k.name, p: k.phase)
                if ks[key] == nil {
                    var z = k
                    z.calls = 0; z.timeSeconds = 0; z.flops = 0; z.bytes = 0
                    ks[key] = z
                    order.append(key)
                }
                ks[key]!.calls += w * k.calls
                ks[key]!.timeSeconds += w * k.timeSeconds
                ks[key]!.flops += w * k.flops
                ks[key]!.bytes += w * k.bytes
            }
        }
        r.kernels = order.map { ks[$0]! }.sorted {
            $0.timeSeconds != $1.timeSeconds
                ? $0.timeSeconds > $1.timeSeconds
                : ($0.layer.rawValue, $0.name, $0.phase.rawValue) < ($1.layer.rawValue, $1.name, $1.phase.rawValue)
        }
        return r
    }
}
