/// `mamba`: a stack of Mamba-1 mixers with no feed-forward blocks; embeddings are tied unless the config says not.
public enum MambaReader: HuggingFaceModelReader {
    public static let modelTypes = ["mamba"]

    public static func read(_ c: HuggingFaceConfigObject, id: String, name: String) throws(SimulatorError) -> ModelSpec {
        let hidden = try c.int("hidden_size", minimum: 1)
        let layers = try c.int("num_hidden_layers", minimum: 1)
        let expand = try c.int("expand", default: 2, minimum: 1)
        let dtRank: Int
        if case .string(let s)? = c.value("time_step_rank") {
            guard s == "auto" else { throw c.fail("time_step_rank", "must be an integer or \"auto\", got \"\(s)\"") }
            dtRank = (hidden + 15) / 16
        } else {
            dtRank = try c.int("time_step_rank", default: (hidden + 15) / 16, minimum: 1)
        }
        let mamba = MambaSpec(
            innerSize: expand * hidden, stateSize: try c.int("state_size", minimum: 1),
            convWidth: try c.int("conv_kernel", minimum: 1), dtRank: dtRank,
            convBias: try c.bool("use_conv_bias", default: true), projBias: try c.bool("use_bias", default: false))
        return ModelSpec(
            id: id, name: name, hiddenSize: hidden, vocabSize: try c.int("vocab_size", minimum: 1),
            tieEmbeddings: try c.bool("tie_word_embeddings", default: true),
            sublayers: Array(repeating: .mamba, count: layers), mamba: mamba, preset: HuggingFaceConfig.qloraPreset)
    }
}
