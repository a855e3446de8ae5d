import Foundation
import XCTest

/// An unknown LoRA target is an error naming the valid ones, not a step that silently trains nothing.
final class LoRATargetCLITests: XCTestCase {
    func testUnknownTargetIsAnErrorListingTheModelsLinears() throws {
        for targets in ["foo", "q_proj,foo"] {
            let r = try FTSimRunner.run(["simulate", "--model", "mixtral-8x7b", "--gpu", "a40", "--lora-targets", targets])
            XCTAssertEqual(r.status, 1, targets)
            XCTAssertTrue(r.err.contains("unknown LoRA target 'foo'"), r.err)
            XCTAssertTrue(r.err.contains("q_proj") && r.err.contains("w1") && r.err.contains("all-linear"), r.err)
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, "one line")
        }
        // Canonical names, Hugging Face aliases and all-linear are accepted.
        for targets in ["q_proj,v_proj", "gate", "all-linear"] {
            let r = try FTSimRunner.run(["simulate", "--model", "mixtral-8x7b", "--gpu", "a40", "--lora-targets", targets])
            XCTAssertEqual(r.status, 0, "\(targets): \(r.err)")
        }
        let qwen = try FTSimRunner.run(["simulate", "--model", "qwen-1.8b", "--gpu", "a100-sxm4-80gb", "--lora-targets", "c_attn"])
        XCTAssertEqual(qwen.status, 0, qwen.err)
    }
}

/// Adapter flags with full fine-tuning are refused, not ignored.
final class FullFineTuningFlagCLITests: XCTestCase {
    func testAdapterFlagsWithFullFineTuningAreErrors() throws {
        for (flag, value) in [("--lora-rank", "8"), ("--lora-targets", "q_proj"), ("--modules-to-save", "lm_head")] {
            let r = try FTSimRunner.run(["simulate", "--model", "llama-2-7b", "--gpu", "a40", "--method", "full", flag, value])
            XCTAssertEqual(r.status, 1, flag)
            XCTAssertTrue(r.err.contains("\(flag): applies to lora and qlora, not to full fine-tuning"), r.err)
        }
        // BlackMamba's preset is full fine-tuning: the same flag is refused without --method.
        let r = try FTSimRunner.run(["simulate", "--model", "blackmamba-2.8b", "--gpu", "a40", "--lora-rank", "8"])
        XCTAssertEqual(r.status, 1, r.err)
    }
}
