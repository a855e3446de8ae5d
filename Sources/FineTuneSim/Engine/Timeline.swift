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
        public var start: Double, end: Double
    }

    /// Kernels in launch order.
    public var kernels: [KernelSpan] = []
    /// Host synchronizations.
    public var syncs: [SyncSpan] = []
    /// (time, bytes in use) after each allocation or free.
    public var memory: [(time: Double, bytes: Double)] = []
    /// The step's end.
    public var stepTime: Double = 0
}
