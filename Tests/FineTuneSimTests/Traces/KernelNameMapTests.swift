import XCTest

@testable import FineTuneSim

final class KernelNameMapTests: XCTestCase {
    func testFirstMatchWinsCaseInsensitiveSubstringAndRegex() throws {
        let yaml = """
            # comment
            rules:
              - {pattern: LogSoftMax, kind: loss}
              - {pattern: softmax, kind: gating}
              - pattern: "/^triton_(poi|red)_/"
                kind: elementwise
              - {pattern: GEMM, kind: gemm}
            """
        let map = try KernelNameMap(yaml: yaml, source: "m.yaml")
        XCTAssertEqual(map.rules.count, 4)
        XCTAssertTrue(map.rules[2].isRegex)
        XCTAssertEqual(map.kind(for: "cunn_SoftMaxForward<4, float, LogSoftMaxForwardEpilogue>"), .loss)
        XCTAssertEqual(map.kind(for: "cunn_SoftMaxForward<4, float, SoftMaxForwardEpilogue>"), .gating)
        XCTAssertEqual(map.kind(for: "triton_poi_fused_add_0"), .elementwise)
        XCTAssertNil(map.kind(for: "xtriton_poi_fused_add_0"), "regex is anchored")
        XCTAssertEqual(map.kind(for: "ampere_sgemm_128x64_nn"), .gemm)
        XCTAssertNil(map.kind(for: "ncclKernel_SendRecv"))
        XCTAssertEqual(map.ruleIndex(for: "x_softmax_y"), 1)
    }

    func testRulesIgnoreTheTrailingParameterList() throws {
        let map = try KernelNameMap(rules: [KernelNameMap.Rule(pattern: "FixedDivisor", kind: .gemm)])
        let name =
            "void bounds_check_indices_kernel<long, false>(at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, fbgemm_gpu::FixedDivisor)"
        XCTAssertNil(map.kind(for: name))
        XCTAssertEqual(KernelNameMap.matchedPart(of: name), "void bounds_check_indices_kernel<long, false>")
        XCTAssertEqual(
            KernelNameMap.matchedPart(of: "void k<at::native::f(at::TensorIteratorBase&)::{lambda()#2}>(int, float)"),
            "void k<at::native::f(at::TensorIteratorBase&)::{lambda()#2}>")
        XCTAssertEqual(KernelNameMap.matchedPart(of: "ampere_sgemm_128x64_nn"), "ampere_sgemm_128x64_nn")
        XCTAssertEqual(KernelNameMap.matchedPart(of: "(anonymous)"), "(anonymous)")
        XCTAssertEqual(KernelNameMap.matchedPart(of: "broken)"), "broken)")
    }

    func testUnknownKindIsNamedWithValidKinds() {
        let yaml = "rules:\n  - {pattern: flash, kind: attention}\n  - {pattern: moe, kind: router}\n"
        assertSimulatorError(
            try KernelNameMap(yaml: yaml, source: "m.yaml"), source: "m.yaml", key: "rules[1].kind",
            contains: [
                "unknown kind 'router'", "line 3", "valid kinds: attention, gating, expert_ffn",
                "optimizer, or unmapped",
            ])
    }

    func testMalformedMapsAreErrors() {
        assertSimulatorError(
            try KernelNameMap(yaml: "rules: [", source: "m.yaml"), source: "m.yaml",
            contains: ["invalid YAML"])
        assertSimulatorError(try KernelNameMap(yaml: "", source: "m.yaml"), source: "m.yaml", key: "rules")
        assertSimulatorError(
            try KernelNameMap(yaml: "rulez: []", source: "m.yaml"), source: "m.yaml", key: "rulez",
            contains: ["unknown top-level key 'rulez'"])
        assertSimulatorError(try KernelNameMap(yaml: "rules: {a: b}", source: "m.yaml"), source: "m.yaml", key: "rules")
        assertSimulatorError(
            try KernelNameMap(yaml: "rules:\n  - {kind: gemm}\n", source: "m.yaml"), source: "m.yaml",
            key: "rules[0].pattern", contains: ["missing pattern"])
        assertSimulatorError(
            try KernelNameMap(yaml: "rules:\n  - {pattern: gemm}\n", source: "m.yaml"), source: "m.yaml",
            key: "rules[0].kind", contains: ["missing kind"])
        assertSimulatorError(
            try KernelNameMap(yaml: "rules:\n  - {pattern: gemm, knd: gemm}\n", source: "m.yaml"),
            source: "m.yaml", key: "rules[0].knd", contains: ["unknown key 'knd'"])
        assertSimulatorError(
            try KernelNameMap(yaml: "rules:\n  - {pattern: \"\", kind: gemm}\n", source: "m.yaml"),
            source: "m.yaml", key: "rules[0].pattern", contains: ["empty pattern"])
        assertSimulatorError(
            try KernelNameMap(yaml: "rules:\n  - {pattern: \"/(unclosed/\", kind: gemm}\n", source: "m.yaml"),
            source: "m.yaml", key: "rules[0].pattern", contains: ["invalid regular expression '/(unclosed/'"])
        assertSimulatorError(
            try KernelNameMap(yaml: "rules:\n  - gemm\n", source: "m.yaml"), source: "m.yaml",
            key: "rules[0]", contains: ["expected a mapping"])
        assertSimulatorError(
            try KernelNameMap.load(path: "/nonexistent/kinds.yaml"), source: "/nonexistent/kinds.yaml",
            contains: ["cannot read file"])
    }

    func testUnmappedRuleStopsTheSearch() throws {
        let map = try KernelNameMap(
            yaml: "rules:\n  - {pattern: nccl, kind: unmapped}\n  - {pattern: scatter, kind: gating}\n",
            source: "m.yaml")
        XCTAssertNil(map.rules[0].kind)
        XCTAssertNil(map.kind(for: "ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL(ncclDevComm *, unsigned long, ncclWork *)"))
        XCTAssertEqual(map.ruleIndex(for: "ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL"), 0)
        XCTAssertEqual(map.kind(for: "_scatter_gather_elementwise_kernel"), .gating)
    }

    func testEmptyMapLeavesEverythingUnmapped() {
        XCTAssertNil(KernelNameMap.empty.kind(for: "flash_fwd_kernel"))
    }

    /// The shipped Configs/kernel-kinds.yaml on names from real PyTorch fine-tuning traces
    /// (shared/reference/traces/README.md and typical Kineto/nsys output).
    func testShippedMapOnRealKernelNames() throws {
        let map = try TraceFixtures.shippedMap()
        XCTAssertGreaterThan(map.rules.count, 40)
        let expected: [(String, KernelKind?)] = [
            // attention
            (
                "void pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, cutlass::bfloat16_t, Flash_kernel_traits<128, 128, 64, 4, cutlass::bfloat16_t> >, false, true, false, false, true, true, false, false>(pytorch_flash::Flash_fwd_params)",
                .attention
            ),
            (
                "void flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel<Flash_bwd_kernel_traits<128, 64, 128, 8, 2, 4, 2, false, false, cutlass::bfloat16_t, Flash_kernel_traits<128, 64, 128, 8, cutlass::bfloat16_t> >, true, false, false, false, false, true, false>(Flash_bwd_params)",
                .attention
            ),
            ("void fmha_fwd_loop_kernel<FMHA_kernel_traits<256, 64, 16, 1, 4, 8u, __half>, false, false>(FMHA_fprop_params)", .attention),
            (
                "fmha_cutlassF_bf16_aligned_64x64_rf_sm80(PyTorchMemEffAttention::AttentionKernel<cutlass::bfloat16_t, cutlass::arch::Sm80, true, 64, 64, 64, true, true>::Params)",
                .attention
            ),
            // gemm (README examples and cuBLAS/CUTLASS names)
            (
                "void cutlass::Kernel<cutlass_80_tensorop_s1688gemm_128x64_16x6_tn_align4>(cutlass_80_tensorop_s1688gemm_128x64_16x6_tn_align4::Params)",
                .gemm
            ),
            ("ampere_fp16_s16816gemm_fp16_64x64_sliced1x2_ldg8_relu_f2f_stages_64x6_tn", .gemm),
            (
                "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_cublas",
                .gemm
            ),
            ("nvjet_tst_128x256_64x4_2x1_v_bz_coopB_TNT", .gemm),
            (
                "void splitKreduce_kernel<float, float, float, float, true, false, false>(cublasSplitKParams<float>, float const*, float const*, float*, float const*, float const*, float const*, float const*, float*, void*, long, float*, int*)",
                .gemm
            ),
            ("triton_tem_fused_mm_0", .gemm),
            // dequant
            ("void kDequantizeBlockwise<__nv_bfloat16, 512, 64, 8, 2>(float*, unsigned char*, float*, __nv_bfloat16*, int, int)", .dequant),
            ("dequantize_4bit_kernel", .dequant),
            // mamba
            (
                "void selective_scan_fwd_kernel<Selective_Scan_fwd_kernel_traits<32, 16, 1, true, true, true, false, true, c10::BFloat16, float, c10::BFloat16> >(SSMParamsBase)",
                .mambaScan
            ),
            (
                "void selective_scan_bwd_kernel<Selective_Scan_bwd_kernel_traits<32, 16, false, true, true, true, false, true, true, c10::BFloat16, float, c10::BFloat16> >(SSMParamsBwd)",
                .mambaScan
            ),
            (
                "void causal_conv1d_fwd_kernel<Causal_conv1d_fwd_kernel_traits<128, 4, true, c10::BFloat16, c10::BFloat16> >(ConvParamsBase)",
                .conv1d
            ),
            // norm
            (
                "void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::BFloat16, float>(int, float, c10::BFloat16 const*, c10::BFloat16 const*, c10::BFloat16 const*, float*, float*, c10::BFloat16*)",
                .norm
            ),
            (
                "void cuApplyRMSNorm<c10::BFloat16, float, c10::BFloat16>(c10::BFloat16*, float*, c10::BFloat16 const*, int, int, float, c10::BFloat16 const*)",
                .norm
            ),
            ("_rms_norm_forward_kernel", .norm),
            // loss
            (
                "void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, float, float, float, at::native::(anonymous namespace)::LogSoftMaxForwardEpilogue>(float*, float const*, int)",
                .loss
            ),
            (
                "void at::native::(anonymous namespace)::nll_loss_forward_reduce_cuda_kernel_2d<float, float, long>(float*, float*, float const*, long const*, float const*, bool, long, long, long, long)",
                .loss
            ),
            (
                "void (anonymous namespace)::softmax_warp_forward<c10::BFloat16, c10::BFloat16, float, 10, true, false>(c10::BFloat16*, c10::BFloat16 const*, int, int, int, bool const*, int, bool)",
                .loss
            ),
            ("liger_cross_entropy_kernel", .loss),
            // embedding
            (
                "void at::native::(anonymous namespace)::indexSelectLargeIndex<c10::BFloat16, long, unsigned int, 2, 2, -2, true>(at::cuda::detail::TensorInfo<c10::BFloat16, unsigned int>, at::cuda::detail::TensorInfo<c10::BFloat16, unsigned int>, at::cuda::detail::TensorInfo<long, unsigned int>, int, int, unsigned int, unsigned int, long)",
                .embedding
            ),
            (
                "void at::native::embedding_backward_feature_kernel<float, float, long>(long const*, float const*, float*, int, long, int)",
                .embedding
            ),
            ("_rope_embedding", .elementwise),
            // optimizer
            (
                "void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float>, float, float, float, float, float, float, float, float, adamMode_t, float, int, int, int>(int, int volatile*, TensorListMetadata<4>, AdamFunctor<float>, float, float, float, float, float, float, float, float, adamMode_t, float, int, int, int)",
                .optimizer
            ),
            (
                "void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, false>, float*, double, double, double, double, double, double, bool, float*, float*>(at::native::(anonymous namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, false>, float*, double, double, double, double, double, double, bool, float*, float*)",
                .optimizer
            ),
            // MoE routing
            (
                "void (anonymous namespace)::softmax_warp_forward<float, float, float, 3, false, false>(float*, float const*, int, int, int, bool const*, int, bool)",
                .gating
            ),
            (
                "void at::native::sbtopk::gatherTopK<float, unsigned int, 2, false>(at::cuda::detail::TensorInfo<float, unsigned int>, unsigned int, unsigned int, bool, unsigned int, unsigned int, at::cuda::detail::TensorInfo<float, unsigned int>, unsigned int, at::cuda::detail::TensorInfo<long, unsigned int>, unsigned int, unsigned int*)",
                .gating
            ),
            (
                "void at::native::indexFuncLargeIndex<c10::BFloat16, long, unsigned int, 2, 2, -2, true, at::native::ReduceAdd>(at::cuda::detail::TensorInfo<c10::BFloat16, unsigned int>, at::cuda::detail::TensorInfo<c10::BFloat16, unsigned int>, at::cuda::detail::TensorInfo<long, unsigned int>, int, int, unsigned int, unsigned int, long, long, at::native::ReduceAdd const&, c10::BFloat16)",
                .gating
            ),
            ("fused_moe_kernel", .expertFFN),
            // elementwise
            (
                "void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<c10::BFloat16>, at::detail::Array<char*, 3> >(int, at::native::CUDAFunctor_add<c10::BFloat16>, at::detail::Array<char*, 3>)",
                .elementwise
            ),
            (
                "void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, at::native::MeanOps<float, float, float, float>, unsigned int, float, 4> >(at::native::ReduceOp<float, at::native::MeanOps<float, float, float, float>, unsigned int, float, 4>)",
                .elementwise
            ),
            ("triton_poi_fused_add_mul_silu_0", .elementwise),
            // unmapped on purpose
            ("ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevComm*, unsigned long, ncclWork*)", nil),
            ("ncclKernel_SendRecv_RING_SIMPLE_Sum_int8_t(ncclDevComm*, unsigned long, ncclWork*)", nil),
            ("ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL(ncclDevComm *, unsigned long, ncclWork *)", nil),
            (
                "void fbgemm_gpu::permute_2D_data_kernel<false, int, int, decltype(nullptr)>(int, int, int, int const*, decltype(nullptr) const*, int const*, int const*, int const*, int*, decltype(nullptr)*)",
                nil
            ),
            (
                "void bounds_check_indices_kernel<long, false>(at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, int const*, long, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, fbgemm_gpu::FixedDivisor)",
                nil
            ),
        ]
        for (name, kind) in expected {
            let got = map.kind(for: name)
            let rule = map.ruleIndex(for: name).map { map.rules[$0].pattern } ?? "none"
            XCTAssertEqual(got, kind, "\(name.prefix(90)) matched rule \(rule)")
        }
    }

    func testShippedMapCoversEveryKind() throws {
        let used = Set(try TraceFixtures.shippedMap().rules.compactMap(\.kind))
        XCTAssertEqual(Set(KernelKind.allCases).subtracting(used), [])
    }
}
