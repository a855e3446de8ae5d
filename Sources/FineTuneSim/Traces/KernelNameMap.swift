import Foundation
import Yams

/// Maps profiler kernel names to ``KernelKind``s with an ordered list of rules (first match wins).
///
/// Loaded from `Configs/kernel-kinds.yaml`:
/// ```yaml
/// rules:
///   - {pattern: flash_fwd, kind: attention}        # case-insensitive substring
///   - {pattern: "/^triton_(poi|red|per)_/", kind: elementwise}   # /.../ is a regular expression
/// ```
/// A rule with `kind: unmapped` stops the search and leaves matching names unmapped.
/// Matching ignores case and sees the name without a demangled signature's trailing parameter list
/// (see ``matchedPart(of:)``). A pattern written between slashes is a regular expression (searched anywhere in the
/// name, so anchor it with `^` if needed); any other pattern is a plain substring. Names that no rule matches
/// have no kind (reported as `unmapped`).
public struct KernelNameMap: Sendable {
    /// One rule of the map.
    public struct Rule: Sendable, Equatable {
        /// The pattern as written: a substring, or `/regex/`.
        public var pattern: String
        /// The kind a matching name gets; nil for a `kind: unmapped` rule, which stops matching and leaves
        /// the name unmapped (used for NCCL kernels, whose names would otherwise hit later rules).
        public var kind: KernelKind?
        /// The YAML line the rule came from (0 when built in code).
        public var line: Int

        /// True when the pattern is a `/regular expression/`.
        public var isRegex: Bool { pattern.count >= 2 && pattern.hasPrefix("/") && pattern.hasSuffix("/") }

        public init(pattern: String, kind: KernelKind?, line: Int = 0) {
            self.pattern = pattern
            self.kind = kind
            self.line = line
        }
    }

    /// A compiled rule: a lowercased substring or a case-insensitive regular expression.
    private enum Matcher: @unchecked Sendable {
        // NSRegularExpression is immutable and documented as thread-safe.
        case substring(String)
        case regex(NSRegularExpression)

        func matches(lowercased name: String, original: String) -> Bool {
            switch self {
            case .substring(let needle):
                return name.contains(needle)
            case .regex(let regex):
                let range = NSRange(original.startIndex..<original.endIndex, in: original)
                return regex.firstMatch(in: original, options: [], range: range) != nil
            }
        }
    }

    /// The rules in match order.
    public let rules: [Rule]
    /// Where the rules came from (a file path), for messages.
    public let source: String
    private let matchers: [Matcher]

    /// A map with no rules: every kernel is unmapped.
    public static let empty = KernelNameMap(validatedRules: [], matchers: [], source: "(no kernel-name map)")

    private init(validatedRules: [Rule], matchers: [Matcher], source: String) {
        self.rules = validatedRules
        self.matchers = matchers
        self.source = source
    }

    /// Builds a map from rules, compiling the regular expressions.
    public init(rules: [Rule], source: String = "(built-in rules)") throws(SimulatorError) {
        var matchers: [Matcher] = []
        for (index, rule) in rules.enumerated() {
            matchers.append(try KernelNameMap.compile(rule, index: index, source: source))
        }
        self.init(validatedRules: rules, matchers: matchers, source: source)
    }

    /// Loads a map from a YAML file (see the type's documentation for the format).
    public static func load(path: String) throws(SimulatorError) -> KernelNameMap {
        let data = try TraceFile.read(path)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw SimulatorError(source: path, "file is not valid UTF-8 text")
        }
        return try KernelNameMap(yaml: text, source: path)
    }

    /// Parses a map from YAML text: a top-level `rules:` list (or a bare list) of `{pattern, kind}` mappings.
    public init(yaml: String, source: String) throws(SimulatorError) {
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw SimulatorError(source: source, "invalid YAML: \(TraceText.oneLine(String(describing: error)))")
        }
        guard let root else {
            throw SimulatorError(source: source, key: "rules", "the file is empty; expected a 'rules:' list")
        }
        let list: Yams.Node.Sequence
        if let sequence = root.sequence {
            list = sequence
        } else if let mapping = root.mapping {
            for (key, _) in mapping where key.string != "rules" {
                throw SimulatorError(
                    source: source, key: key.string ?? "?",
                    "unknown top-level key '\(key.string ?? "?")' (expected 'rules')")
            }
            guard let rulesNode = mapping["rules"] else {
                throw SimulatorError(source: source, key: "rules", "missing the 'rules:' list")
            }
            guard let sequence = rulesNode.sequence else {
                throw SimulatorError(source: source, key: "rules", "expected a list of {pattern, kind} rules\(KernelNameMap.at(rulesNode))")
            }
            list = sequence
        } else {
            throw SimulatorError(source: source, key: "rules", "expected a 'rules:' list of {pattern, kind} rules")
        }

        var rules: [Rule] = []
        for (index, node) in list.enumerated() {
            let key = "rules[\(index)]"
            guard let mapping = node.mapping else {
                throw SimulatorError(
                    source: source, key: key, "expected a mapping {pattern: ..., kind: ...}\(KernelNameMap.at(node))")
            }
            for (field, value) in mapping {
                let name = field.string ?? "?"
                guard name == "pattern" || name == "kind" else {
                    throw SimulatorError(
                        source: source, key: "\(key).\(name)",
                        "unknown key '\(name)' (expected pattern, kind)\(KernelNameMap.at(value))")
                }
            }
            guard let patternNode = mapping["pattern"], let pattern = patternNode.scalar?.string else {
                throw SimulatorError(source: source, key: "\(key).pattern", "missing pattern (a string)\(KernelNameMap.at(node))")
            }
            guard !pattern.isEmpty, pattern != "//" else {
                throw SimulatorError(
                    source: source, key: "\(key).pattern", "empty pattern would match every kernel\(KernelNameMap.at(patternNode))")
            }
            guard let kindNode = mapping["kind"], let kindText = kindNode.scalar?.string else {
                throw SimulatorError(source: source, key: "\(key).kind", "missing kind\(KernelNameMap.at(node))")
            }
            let kind: KernelKind?
            if kindText == ImportedTrace.KernelSummary.unmappedLabel {
                kind = nil
            } else if let known = KernelKind(rawValue: kindText) {
                kind = known
            } else {
                let valid = KernelKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw SimulatorError(
                    source: source, key: "\(key).kind",
                    "unknown kind '\(kindText)'\(KernelNameMap.at(kindNode)); valid kinds: \(valid), or \(ImportedTrace.KernelSummary.unmappedLabel) to leave matching names unmapped"
                )
            }
            rules.append(Rule(pattern: pattern, kind: kind, line: kindNode.mark?.line ?? node.mark?.line ?? 0))
        }
        try self.init(rules: rules, source: source)
    }

    private static func at(_ node: Yams.Node) -> String {
        node.mark.map { " (line \($0.line))" } ?? ""
    }

    private static func compile(_ rule: Rule, index: Int, source: String) throws(SimulatorError) -> Matcher {
        guard rule.isRegex else {
            guard !rule.pattern.isEmpty else {
                throw SimulatorError(source: source, key: "rules[\(index)].pattern", "empty pattern would match every kernel")
            }
            return .substring(rule.pattern.lowercased())
        }
        let body = String(rule.pattern.dropFirst().dropLast())
        do {
            return .regex(try NSRegularExpression(pattern: body, options: [.caseInsensitive]))
        } catch {
            let line = rule.line > 0 ? " (line \(rule.line))" : ""
            throw SimulatorError(
                source: source, key: "rules[\(index)].pattern", "invalid regular expression '\(rule.pattern)'\(line)")
        }
    }

    /// The kind of the first rule matching `name`, or nil when none does (or the first match is a
    /// `kind: unmapped` rule).
    public func kind(for name: String) -> KernelKind? {
        ruleIndex(for: name).flatMap { rules[$0].kind }
    }

    /// The index of the first rule matching `name` (useful to explain a mapping), or nil.
    ///
    /// Rules see ``matchedPart(of:)``: the name without a demangled signature's trailing parameter list.
    public func ruleIndex(for name: String) -> Int? {
        let text = KernelNameMap.matchedPart(of: name)
        let lowered = text.lowercased()
        return matchers.firstIndex { $0.matches(lowercased: lowered, original: text) }
    }

    /// The part of a kernel name that rules are matched against: a demangled signature without its trailing
    /// parameter list, so that argument types (`fbgemm_gpu::BoundsCheckMode`, `cublasSplitKParams<float>`)
    /// cannot trigger a rule. Template arguments stay: `multi_tensor_apply_kernel<..., AdamFunctor<float>, ...>`
    /// and `cutlass::Kernel<cutlass_80_tensorop_s1688gemm_...>` are recognised by them.
    /// `void f<int>(float*, int)` → `void f<int>`; names without a closing `)` are unchanged.
    public static func matchedPart(of name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.last == UInt8(ascii: ")") else { return name }
        var depth = 0
        var index = bytes.count - 1
        while index >= 0 {
            switch bytes[index] {
            case UInt8(ascii: ")"): depth += 1
            case UInt8(ascii: "("):
                depth -= 1
                if depth == 0 {
                    // Keep names that are only a parenthesised group, such as "(anonymous)".
                    return index == 0 ? name : String(decoding: bytes[..<index], as: UTF8.self)
                }
            default: break
            }
            index -= 1
        }
        return name  // unbalanced: match the whole name
    }
}
