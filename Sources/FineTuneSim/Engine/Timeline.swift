/// What the engine produces: when each kernel ran, host activity, and the memory level over time.
public struct Timeline: Sendable {
    /// One kernel's execution.
    public struct KernelSpan: Sendable {
        /// Index of the segment in the program and of the kernel within it.
        public var segment: Int32, kernel: Int32
        /// GPU stream it ran on.
        public var stream: Int32
        /// When the host issued it, when it started and ended on the GPU (seconds from step start).
        public var issued: Double, start: Double, end: Double
    }

    /// A host-side wait for the GPU.
    public struct SyncSpan: Sendable {
        /// When the host blocked and when the GPU drained (seconds from step start).
        public var start: Double, end: Double
    }

    /// A stretch of host work (the host thread is busy, not waiting).
    public struct HostSpan: Sendable, Equatable {
        /// What the host does.
        public enum Activity: Sendable, Equatable {
            /// The framework overhead of launching the segment's kernel at this index.
            case launch(kernel: Int32)
            /// Python framework work that launches nothing itself (a wrapper layer).
            case frameworkCall(HostCall)
            /// The host's own cost of a synchronization, after the GPU drained.
            case sync
            /// The per-step host overhead outside the kernels (data loading, trainer bookkeeping).
            case stepOverhead
        }
        /// Index of the segment it belongs to (-1 for the step overhead).
        public var segment: Int32
        /// What the host does.
        public var activity: Activity
        /// Start and end (seconds from step start).
        public var start: Double, end: Double
    }

    /// Kernels in launch order.
    public var kernels: [KernelSpan] = []
    /// Host synchronizations.
    public var syncs: [SyncSpan] = []
    /// Host work in time order: launches, framework calls, synchronization costs, the step overhead.
    public var host: [HostSpan] = []
    /// (time, bytes in use) after each allocation or free.
    public var memory: [(time: Double, bytes: Double)] = []
    /// The step's end.
    public var stepTime: Double = 0
}
