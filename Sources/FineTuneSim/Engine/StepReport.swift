/// The result of simulating one training step: timing, breakdowns and memory.
public struct StepReport: Sendable {
    /// One kernel name's totals within a layer type and phase.
    public struct KernelTotal: Sendable, Equatable {
        public var name: String
        public var kind: KernelKind
        public var layer: LayerType
        public var phase: Phase
        public var calls: Double
        public var timeSeconds: Double
        public var flops: Double
        public var bytes: Double
        public var bound: Bound
    }

    /// Seconds per step (host overhead included).
    public var stepTime: Double
    /// Queries per step.
    public var batch: Double
    /// Tokens per step (padded).
    public var tokens: Double
    /// Wall seconds by reported phase (`forward`, `backward` with recompute, `optimizer`).
    public var phases: [Phase: Double]
    /// Host seconds per step outside every phase: the trainer's per-step bookkeeping beyond the GPU's tail.
    public var hostOverhead: Double
    /// Wall seconds of forward + backward by report key (`attention`, `moe`, `mamba`, `mlp`, `norm`, `other`).
    public var layers: [String: Double]
    /// GPU seconds by kernel kind.
    public var kinds: [KernelKind: Double]
    /// Kernel totals, largest time first.
    public var kernels: [KernelTotal]
    /// Kernel launches per step.
    public var kernelLaunches: Double
    /// Host-device synchronizations per step.
    public var syncs: Double
    /// Seconds the GPU was busy.
    public var gpuBusy: Double
    /// Memory.
    public var memory: MemoryEstimate
    /// Whether the step fits on the GPU.
    public var fits: Bool
    /// The step time's error bar, when the parameters come from a fit.
    public var stepTimeInterval: Uncertainty.Interval?
    /// Seconds the host thread spent blocked at synchronizations, waiting for the GPU to drain (the GPU is
    /// busy then; the cost is the empty queue the host finds when it resumes, part of ``gpuIdle``).
    public var syncWait: Double = 0
    /// The host assumed (its speed scales every host cost).
    public var host: HostSpec = .reference

    /// Host-bound seconds: wall time the GPU sits idle because it waits for the host (launch overhead, Python
    /// framework calls, the turnaround after each synchronization, the per-step host overhead). The step
    /// time less GPU busy time: on one in-order stream fed by one host thread the GPU idles only when no
    /// launched kernel is pending. A faster GPU shortens only the busy part.
    public var gpuIdle: Double { max(0, stepTime - gpuBusy) }
    /// ``gpuIdle`` as a share of the step time.
    public var hostBoundShare: Double { stepTime > 0 ? gpuIdle / stepTime : 0 }

    /// Queries per second.
    public var throughput: Double { batch / stepTime }
    /// Tokens per second.
    public var tokensPerSecond: Double { tokens / stepTime }
}
