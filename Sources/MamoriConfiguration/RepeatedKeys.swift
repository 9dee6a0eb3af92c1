// Primary responsibilities: find repeated and non-word mapping keys in document order, on libyaml's
// event stream, before Yams composes the document. Yams refuses such a document itself, but at a
// key it picks through an order that is not total (keys that differ only in their tag, or lists and
// mappings as keys), so the same file could be refused at a different line from run to run.

import CYaml  // libyaml as Yams builds it: the event stream Yams' composer reads

/// A problem with a mapping key, found before composing.
struct KeyProblem: Equatable {
    /// 1-based line and column of the offending key.
    let line: Int
    let column: Int
    /// The dotted key path, as the decoder spells it (`resolution.forward-zones[0].name`).
    let path: String
    /// What is wrong.
    let message: String
}

/// Scans a YAML text for mapping keys the decoder could never accept, in document order.
enum RepeatedKeys {
    /// Nesting deeper than this stops the scan (libyaml has no depth limit of its own; Yams would
    /// compose it, and the decoder reports whatever it then finds).
    static let maximumDepth = 512
    /// At most this many problems are listed; the rest repeat the same mistake.
    static let maximumProblems = 100

    /// One open collection while walking the events.
    private struct Frame {
        /// Keys seen in this mapping by their text (tags ignored: the decoder reads the text);
        /// nil for a sequence.
        var keys: Set<String>?
        /// For a mapping, whether the next node is a key; for a sequence, unused.
        var expectingKey = true
        /// The path of the node that opened this frame.
        let path: String
        /// The path of the value being read (mapping) or the next item's index (sequence).
        var childPath: String
        var index = 0
    }

    /// The repeated keys and keys that are not plain words (lists, mappings, aliases) of every
    /// mapping in `text`, in the order they appear. A syntax error ends the scan quietly: composing
    /// reports it with its position.
    static func problems(in text: String) -> [KeyProblem] {
        guard !text.isEmpty else { return [] }  // libyaml asserts on an empty input buffer
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return [] }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        var problems: [KeyProblem] = []
        return bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var stack: [Frame] = []
            var event = yaml_event_t()
            while problems.count < maximumProblems, stack.count < maximumDepth {
                guard yaml_parser_parse(&parser, &event) == 1 else { break }
                defer { yaml_event_delete(&event) }
                let type = event.type
                if type == YAML_STREAM_END_EVENT { break }
                if type == YAML_DOCUMENT_START_EVENT {
                    stack.removeAll()
                    continue
                }
                if type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT {
                    stack.removeLast()
                    continue
                }
                guard
                    type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT || type == YAML_SEQUENCE_START_EVENT
                        || type == YAML_MAPPING_START_EVENT
                else { continue }
                // A node: a key, a mapping value, a sequence item, or the document's root.
                let path = nodePath(&stack, event: event, problems: &problems)
                if type == YAML_SEQUENCE_START_EVENT {
                    stack.append(Frame(keys: nil, path: path, childPath: path))
                } else if type == YAML_MAPPING_START_EVENT {
                    stack.append(Frame(keys: [], path: path, childPath: path))
                }
            }
            return problems
        }
    }

    /// The path of the node `event` starts, checking it when it is a key and advancing the
    /// innermost frame past it.
    private static func nodePath(_ stack: inout [Frame], event: yaml_event_t, problems: inout [KeyProblem]) -> String {
        guard var frame = stack.popLast() else { return "" }
        defer { stack.append(frame) }
        guard frame.keys != nil else {
            let path = "\(frame.path)[\(frame.index)]"
            frame.index += 1
            return path
        }
        guard frame.expectingKey else {
            frame.expectingKey = true
            return frame.childPath
        }
        frame.expectingKey = false
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        guard event.type == YAML_SCALAR_EVENT else {
            let kind =
                event.type == YAML_ALIAS_EVENT
                ? "an alias" : event.type == YAML_SEQUENCE_START_EVENT ? "a list" : "a mapping"
            problems.append(
                KeyProblem(line: line, column: column, path: frame.path, message: "expected a key, got \(kind)"))
            frame.childPath = frame.path
            return frame.path
        }
        let scalar = event.data.scalar
        let name = String(decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
        frame.childPath = frame.path.isEmpty ? name : "\(frame.path).\(name)"
        if frame.keys?.insert(name).inserted == false {
            problems.append(
                KeyProblem(line: line, column: column, path: frame.childPath, message: "key appears more than once"))
        }
        return frame.childPath
    }
}
