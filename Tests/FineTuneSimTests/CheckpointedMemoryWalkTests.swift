import XCTest

@testable import FineTuneSim

/// The checkpointed activation lifecycle against a walk by hand: Llama-2-7B LoRA (bf16 base, fp32 rank-16
/// adapters on every linear layer, AdamW), batch 4 × 2,048 tokens, gradient checkpointing.
final class CheckpointedMemoryWalkTests: XCTestCase {
    func testLlama2LoRAPeakMatchesAHandWalk() throws {
        let m = try model("llama-2-7b")
        let method = try MethodOverrides(method: .lora).apply(to: m.preset)
        XCTAssertTrue(method.checkpointing)
        let t = 4.0 * 2048, h = 4096.0, f = 11008.0, v = 32000.0, layers = 32.0, r = 16.0
        // Resident: bf16 weights; fp32 adapters, their gradients and two AdamW moments.
        let base = layers * (4 * h * h + 3 * h * f + 2 * h) + 2 * v * h + h
        let adapters = layers * r * (4 * (h + h) + 3 * (h + f))
        let resident = base * 2 + adapters * 4 * 3
        // Saved between forward and backward: each checkpointed layer's input, bf16.
        let checkpoints = layers * t * h * 2
        // The head's forward at the log-softmax: the fp32 logits, their shifted copy and the log-softmax output
        // (3 × T × V × 4 B; the bf16 logits are gone once upcast), after the final eager RMSNorm, which keeps
        // 8 B per hidden value (its fp32 input and bf16 outputs).
        let head = 3 * t * v * 4 + 8 * t * h
        // One decoder layer recomputed, in bytes per token: two eager RMSNorms (8 B × h each), q, k, v (6 B × h),
        // the rotary outputs and rotate-half temporaries (8 B × h), the attention output and two residual sums
        // (6 B × h); the MLP's gate, up, SiLU and product (8 B × f); then its gradients in flight (4 B × f + 4 B × h).
        let layer = t * (36 * h + 8 * f) + t * (4 * f + 4 * h)
        let byHand = resident + checkpoints + max(head, layer)
        var p = CalibrationParameters()
        p["activation_overhead"] = 1
        p["routed_retained_fraction"] = 0
        let sim = Simulator(gpu: try catalog.gpu("a100-sxm4-80gb"), parameters: p)
            .simulate(model: m, method: method, workload: Workload(batch: 4, seq: 2048))
        let simulated = sim.memory.residentBytes + sim.memory.peakDynamicBytes
        XCTAssertEqual(simulated / byHand, 1, accuracy: 0.10, "simulated \(simulated / 1e9) GB, by hand \(byHand / 1e9) GB")
        // Nothing of the 32 recomputed layers is retained by a dense model: the peak is at most one layer above
        // the checkpoints and the head.
        XCTAssertLessThan(simulated, resident + checkpoints + head + layer)
    }
}
