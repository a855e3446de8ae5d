extension FineTuneMethod {
    /// Checks that every LoRA target names a linear layer of `model` (by its canonical name or a Hugging Face
    /// alias) or is `all-linear`: an unknown name would otherwise train nothing, silently.
    /// - Throws: a one-line error naming the target and listing the model's linear layers.
    public func validateLoRATargets(model: ModelSpec, source: String = "--lora-targets") throws(SimulatorError) {
        guard usesLoRA else { return }
        let workload = Workload(batch: 1, seq: 8)
        for t in loraTargets where t != "all-linear" {
            var probe = self
            probe.loraTargets = [t]
            if ParameterInventory(LoweringContext(model: model, method: probe, workload: workload)).adapters > 0 { continue }
            let names = ParameterInventory(LoweringContext(model: model, method: self, workload: workload)).linearNames
            throw SimulatorError(
                source: source,
                "unknown LoRA target '\(t)' for \(model.id) (its linear layers: \(names.joined(separator: ", ")); or all-linear)")
        }
    }
}
