import Foundation

/// What limits a kernel's duration.
public enum Bound: String, Sendable, Codable {
    /// Arithmetic (tensor or vector units).
    case compute
    /// DRAM bandwidth.
    case memory
    /// Instruction issue (element decode rate), as NF4 dequantize is.
    case issue
    /// Atomic accumulation into L2, as the selective scan's backward adds dB and dC across channels.
    case atomics
    /// Fixed per-kernel latency (tiny kernels).
    case latency
}

/// Times one kernel on one GPU: a roofline (the larger of compute time and memory time) with wave
/// quantization over the SMs for matrix products, an element-rate bound for decode-heavy kernels, and a
/// fixed per-kernel latency. A pure function of (kernel, GPU, parameters).
public struct CostModel: Sendable {
    /// The GPU.
    public let gpu: GPUSpec
    /// The parameters.
    public let parameters: CalibrationParameters
    private let bandwidth: Double
    private let vectorPeak: Double
    private let slots: Double
    private let issueRate: Double
    private let atomicRate: Double
    private let threadSlots: Double

    /// Creates a cost model for a GPU.
    public init(gpu: GPUSpec, parameters: CalibrationParameters) {
        self.gpu = gpu
        self.parameters = parameters
        bandwidth = gpu.bandwidthBytesPerSecond * parameters.memoryEfficiency
        vectorPeak = gpu.vectorPeakFLOPS
        slots = Double(gpu.sms) * parameters.tilesPerSM
        issueRate = Double(gpu.sms) * gpu.clockHz * parameters.dequantRate
        atomicRate = Double(gpu.sms) * gpu.clockHz * parameters.atomicRate
        threadSlots = Double(gpu.sms) * Self.threadsPerSM
    }

    /// Resident threads per SM (2,048 on Volta through Hopper data-center parts; 1,536 on GA10x/AD10x parts
    /// such as the A40, where the scan's grid is large enough that the difference does not matter).
    static let threadsPerSM = 2048.0

    /// Fraction of the GPU's thread slots the selective scan's grid fills: mamba-ssm runs one thread block of
    /// `n` threads per (sequence, channel) pair (`m` blocks) and walks the sequence inside the block.
    @inline(__always)
    func scanOccupancy(_ k: Kernel) -> Double {
        guard k.m > 0, k.n > 0 else { return 1 }
        return min(1, k.m * k.n / threadSlots)
    }

    /// Fraction of the SM slots' tensor throughput a matrix product turns into useful work.
    ///
    /// The output is cut into `gemm_tile`² tiles, counted fractionally (`m/tile · n/tile · batch`: a ragged
    /// edge or a narrow adapter runs in a smaller tile configuration, as cuBLAS picks one per shape), and
    /// spread over `sms × tiles_per_sm` slots. The kernel takes as long as its busiest slot, whose load is
    /// measured in K steps of one full tile:
    /// - tiles ≥ slots: whole waves of whole-K tiles, `⌈tiles / slots⌉ · K` (wave quantization);
    /// - fewer tiles than slots: the library splits the reduction (split-K, as cuBLAS's heuristics and
    ///   CUTLASS's split-K/stream-K kernels do) into the most pieces that still fit in one wave,
    ///   `s = ⌊slots / max(tiles, 1)⌋`, and a piece is never shorter than one K tile (or all of K when K is
    ///   shorter): load `max(K / s, min(K, tile))`, scaled by `tiles` when less than one tile exists.
    ///
    /// The split is the fastest one-wave schedule for the work, so the time (FLOPs / utilization, at a fixed
    /// rate per slot) is non-decreasing in m, n, k and batch and non-increasing in the slot count: more work
    /// never takes less time. (Counting whole tiles while charging exact FLOPs, or splitting only in whole
    /// multiples of a K tile, broke this: one more row or K step could fill the slots better and finish
    /// sooner.)
    public func waveUtilization(_ k: Kernel) -> Double {
        let tile = parameters.gemmTile
        let tiles = (k.m / tile) * (k.n / tile) * k.batch
        guard tiles > 0, k.k > 0 else { return 1 }
        let load: Double
        if tiles >= slots {
            load = (tiles / slots).rounded(.up) * k.k
        } else {
            let split = max(1, (slots / max(tiles, 1)).rounded(.down))
            load = min(tiles, 1) * max(k.k / split, min(k.k, tile))
        }
        return tiles * k.k / (slots * load)
    }

    /// The kernel's duration in seconds and what bounds it.
    @inline(__always)
    public func time(_ k: Kernel) -> (seconds: Double, bound: Bound) {
        var compute: Double
        if k.isMatrix {
            var eff = k.kind == .attention ? parameters.attentionEfficiency : parameters.gemmEfficiency
            // Weight matmuls amortize each tile's prologue and epilogue over their K loop; adapters' rank-sized
            // K is a single tile whose cost is its memory traffic.
            if k.kind == .gemm || k.kind == .expertFFN || k.kind == .gating { eff *= k.k / (k.k + parameters.gemmKOverhead) }
            compute = k.flops / (gpu.matrixPeakFLOPS(k.dtype == .fp32 ? .bf16 : k.dtype) * eff * waveUtilization(k))
        } else if k.kind == .mambaScan {
            // The scan's instruction mix (exp on the special-function units, multiply-adds, warp shuffles of the
            // block scan) at the pointwise efficiency, over the threads its grid occupies.
            compute = k.flops / (vectorPeak * parameters.vectorEfficiency * scanOccupancy(k))
        } else {
            compute = k.flops / (vectorPeak * parameters.vectorEfficiency)
        }
        let memory = k.bytes / bandwidth
        let issue = k.kind == .dequant && k.elements > 0 ? k.elements / issueRate : 0
        let atomics = k.kind == .mambaScan && k.elements > 0 ? k.elements / atomicRate : 0
        var t = compute
        var bound = Bound.compute
        if memory > t { t = memory; bound = .memory }
        if issue > t { t = issue; bound = .issue }
        if atomics > t { t = atomics; bound = .atomics }
        if parameters.kernelLatency > t { bound = .latency }
        compute = max(t + parameters.kernelLatency, parameters.minKernel)
        return (compute, bound)
    }

    /// The kernel's duration in seconds, as a profiler measures it.
    @inline(__always)
    public func duration(_ k: Kernel) -> Double { time(k).seconds }

    /// The seconds a kernel holds its stream: its duration plus the idle gap before the next queued kernel.
    @inline(__always)
    public func streamDuration(_ k: Kernel) -> Double { time(k).seconds + parameters.kernelGap }
}
