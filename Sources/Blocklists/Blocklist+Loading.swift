// Primary responsibilities: reading a list file in its format.

extension Blocklist {
    /// Reads the list at `path` in `format`.
    ///
    /// With `previous` (the list this one replaces at a reload, in the same format), a hosts file or
    /// domain list that differs from it by at most a quarter of its names is built as an overlay on
    /// its table: the names both hold stay in the shared table, and the new list costs its changes
    /// and a bit a slot, not a second copy (an RPZ file, or a list that changed more, is read whole).
    /// - Throws: ``BlocklistError`` naming the file and, for a bad line, the line.
    public static func load(
        path: String, format: BlocklistFormat, replacing previous: Blocklist? = nil
    ) throws(BlocklistError) -> Blocklist {
        let base = previous.flatMap { $0.localData.isEmpty ? ($0.base ?? $0.table) : nil }
        switch format {
        case .hosts:
            if let base, let overlay = try ListFiles.hosts(path: path, over: base) { return overlay }
            return try ListFiles.hosts(path: path)!
        case .domains:
            if let base, let overlay = try ListFiles.domains(path: path, over: base) { return overlay }
            return try ListFiles.domains(path: path)!
        case .rpz:
            return try ResponsePolicyZone.load(path: path)
        }
    }
}
