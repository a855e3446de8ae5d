import Foundation
import XCTest

@testable import FineTuneSim

final class KernelTraceRowsTests: XCTestCase {
    static let header = "gpu,model,tensor_parallel,num_tokens,vidur_op,op,m,n,k,elements,dtype,median_s"

    func write(_ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftsim-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ops.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testNewOpsHaveTheirBytes() throws {
        let e = KernelQuery(op: .embedding, m: 4096, n: 8192, dtype: .fp16).kernel
        XCTAssertEqual(e.kind, .embedding)
        XCTAssertEqual(e.bytes, 2 * 2 * 4096 * 8192 + 8 * 4096)
        let r = KernelQuery(op: .rope, elements: 1000, dtype: .fp16).kernel
        XCTAssertEqual(r.bytes, 4000)
        XCTAssertEqual(r.kind, .elementwise)
        let l = KernelQuery(op: .layernorm, m: 10, n: 100, dtype: .fp16).kernel
        XCTAssertEqual(l.bytes, 2 * 2 * 1000 + 2 * 2 * 100)
        XCTAssertEqual(l.kind, .norm)
        XCTAssertThrowsError(try KernelQuery(op: .rope).validate(source: "x.csv", row: "row 1"))
        XCTAssertThrowsError(try KernelQuery(op: .embedding, m: 4).validate(source: "x.csv", row: "row 1"))
    }

    func testOpRowsLoadAndArePredictedByTheCostModel() throws {
        let path = try write(
            """
            \(Self.header)
            a40,Qwen-72B,1,4096,attn_pre_proj,gemm,4096,24576,8192,0,fp16,0.014213
            h100-sxm5-80gb,phi-2,1,16,attn_rope,rope,0,0,0,40960,fp16,2e-06
            a100-sxm4-80gb,phi-2,1,16,emb,embedding,16,2560,,,fp16,3e-06

            """)
        let ms = try TraceSet.load(path: path)
        XCTAssertEqual(ms.count, 3)
        XCTAssertEqual(ms.map(\.quantity), [.op, .op, .op])
        XCTAssertEqual(ms[0].query, KernelQuery(op: .gemm, m: 4096, n: 24576, k: 8192, dtype: .fp16))
        XCTAssertEqual(ms[0].label, "Qwen-72B tp1 4096 tok attn_pre_proj")
        XCTAssertEqual(ms[0].value, 0.014213)
        XCTAssertEqual(ms[2].query?.op, .embedding)
        let params = try catalog.calibration(nil)
        let predicted = try Predictor(catalog: catalog).predict(ms, parameters: params)
        for (m, p) in zip(ms, predicted) {
            XCTAssertEqual(p, CostModel(gpu: try catalog.gpu(m.gpu), parameters: params).duration(m.query!.kernel))
        }
        // A large fp16 matmul on the A40 is predicted within 25% of Vidur's measurement.
        XCTAssertEqual(predicted[0] / ms[0].value, 1, accuracy: 0.25)
    }

    func testShippedVidurSetLoads() throws {
        let ms = try TraceSet.load(path: packageRoot + "/Traces/vidur-kernels")
        XCTAssertEqual(ms.count, 7353)
        XCTAssertEqual(Set(ms.map(\.gpu)), ["a40", "a100-sxm4-80gb", "h100-sxm5-80gb"])
        XCTAssertTrue(ms.allSatisfy { $0.quantity == .op && $0.query != nil && $0.value > 0 })
    }

    func testBadRowsNameFileRowAndValue() throws {
        let unknown = try write("\(Self.header)\na40,m,1,1,x,conv3d,1,1,1,0,fp16,1e-6\n")
        assertSimulatorError(try TraceSet.load(path: unknown), source: unknown, key: "row 1 op", contains: ["conv3d"])
        let shape = try write("\(Self.header)\na40,m,1,1,x,gemm,1,0,1,0,fp16,1e-6\n")
        assertSimulatorError(try TraceSet.load(path: shape), source: shape, key: "row 1 n", contains: ["gemm needs a positive n"])
        let time = try write("\(Self.header)\na40,m,1,1,x,add,0,0,0,10,fp16,-1\n")
        assertSimulatorError(try TraceSet.load(path: time), source: time, key: "median_s", contains: ["positive", "-1"])
        let dtype = try write("\(Self.header)\na40,m,1,1,x,add,0,0,0,10,fp17,1e-6\n")
        assertSimulatorError(try TraceSet.load(path: dtype), source: dtype, key: "row 1 dtype", contains: ["fp17"])
        let gpu = try write("\(Self.header)\nnope,m,1,1,x,add,0,0,0,10,fp16,1e-6\n")
        let ms = try TraceSet.load(path: gpu)
        XCTAssertThrowsError(try Predictor(catalog: catalog).predict(ms, parameters: CalibrationParameters())) { error in
            XCTAssertTrue(String(describing: error).contains("nope"), "\(error)")
        }
    }
}
