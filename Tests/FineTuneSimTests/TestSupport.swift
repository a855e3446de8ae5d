import Foundation

@testable import FineTuneSim

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The project's config catalog.
let catalog = ConfigCatalog(root: packageRoot + "/Configs")

/// A small GPU with round numbers for hand calculations.
let toyGPU = GPUSpec(
    id: "toy", name: "Toy", sms: 10, boostMHz: 1000, bf16TensorTFLOPS: 100, fp32TFLOPS: 10, memoryGB: 10, bandwidthGBs: 1000)

func model(_ id: String, topK: Int? = nil) throws -> ModelSpec {
    try Simulator.model(try catalog.model(id), topK: topK)
}
