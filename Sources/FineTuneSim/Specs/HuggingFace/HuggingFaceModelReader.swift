/// Maps one family of Hugging Face configs (one or more `model_type` values) onto a ``ModelSpec``.
public protocol HuggingFaceModelReader: Sendable {
    /// The `model_type` values this reader accepts.
    static var modelTypes: [String] { get }
    /// Builds the spec; ``HuggingFaceConfig`` validates it afterwards.
    static func read(_ config: HuggingFaceConfigObject, id: String, name: String) throws(SimulatorError) -> ModelSpec
}

extension HuggingFaceModelReader {
    /// Attention dimensions from the usual keys: `num_attention_heads`, `num_key_value_heads` (default: heads),
    /// `head_dim` (default: hidden / heads, which must divide evenly).
    static func attention(_ c: HuggingFaceConfigObject, hidden: Int, qkvBias: Bool = false, fusedQKV: Bool = false) throws(SimulatorError)
        -> AttentionSpec
    {
        let heads = try c.int("num_attention_heads", minimum: 1)
        let kvHeads = try c.int("num_key_value_heads", default: heads, minimum: 1)
        guard heads % kvHeads == 0 else {
            throw c.fail("num_key_value_heads", "\(kvHeads) does not divide num_attention_heads (\(heads))")
        }
        let headDim: Int
        if let d = try c.optionalInt("head_dim", minimum: 1) {
            headDim = d
        } else {
            guard hidden % heads == 0 else {
                throw c.fail("num_attention_heads", "\(heads) does not divide hidden_size (\(hidden)) and head_dim is not given")
            }
            headDim = hidden / heads
        }
        return AttentionSpec(heads: heads, kvHeads: kvHeads, headDim: headDim, qkvBias: qkvBias, fusedQKV: fusedQKV)
    }

    /// Checks `num_experts_per_tok` against the expert count (named by `expertsKey`).
    static func topK(_ c: HuggingFaceConfigObject, experts: Int, expertsKey: String) throws(SimulatorError) -> Int {
        let k = try c.int("num_experts_per_tok", minimum: 1)
        guard k <= experts else {
            throw c.fail("num_experts_per_tok", "\(k) is above the expert count (\(expertsKey) = \(experts))")
        }
        return k
    }
}
