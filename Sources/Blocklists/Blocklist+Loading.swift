// Primary responsibilities: reading a list file in its format.

extension Blocklist {
    /// Reads the list at `path` in `format`.
    /// - Throws: ``BlocklistError`` naming the file and, for a bad line, the line.
    public static func load(path: String, format: BlocklistFormat) throws(BlocklistError) -> Blocklist {
        switch format {
        case .hosts: try ListFiles.hosts(path: path)
        case .domains: try ListFiles.domains(path: path)
        case .rpz: try ResponsePolicyZone.load(path: path)
        }
    }
}
