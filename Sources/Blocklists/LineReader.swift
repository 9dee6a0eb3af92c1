// Primary responsibilities: reading a list file line by line in fixed chunks, so a list of a
// million lines never sits in memory as text, with a bound on the length of a line.

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a file's lines with `read(2)` through one buffer of ``chunkSize`` bytes.
struct LineReader: ~Copyable {
    /// The longest line accepted, in bytes: a list line is a name or two and a comment.
    static let maxLineLength = 4096
    /// How much is read at a time.
    static let chunkSize = 1 << 16

    /// The file, for errors.
    let path: String
    /// The open descriptor.
    private let descriptor: Int32
    /// The file's size when opened, to size the table.
    let size: Int

    /// Opens `path` for reading.
    /// - Throws: ``BlocklistError`` naming the file when it cannot be opened.
    init(path: String) throws(BlocklistError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BlocklistError(file: path, line: 0, "cannot open: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Calls `body` with each line (without its newline or a trailing carriage return) and its
    /// 1-based number, from the start of the file each time.
    /// - Throws: ``BlocklistError`` for a read error or a line over ``maxLineLength``, or what
    ///   `body` throws.
    func forEachLine(
        _ body: (UnsafeBufferPointer<UInt8>, Int) throws(BlocklistError) -> Void
    ) throws(BlocklistError) {
        let capacity = Self.chunkSize + Self.maxLineLength
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        // From the start, so a second pass reads the file again.
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw BlocklistError(file: path, line: 0, "cannot seek: \(String(cString: strerror(errno)))")
        }
        var filled = 0
        var lineNumber = 0
        var atEnd = false
        while !atEnd {
            let got = read(descriptor, buffer + filled, capacity - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw BlocklistError(file: path, line: lineNumber, "read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { atEnd = true }
            filled += got
            var start = 0
            var index = 0
            // One pass over the bytes read: every newline ends a line.
            while index < filled {
                if buffer[index] == 0x0A {
                    lineNumber += 1
                    try deliver(buffer, start, index, lineNumber, body)
                    start = index + 1
                }
                index += 1
            }
            if atEnd {
                if start < filled {
                    lineNumber += 1
                    try deliver(buffer, start, filled, lineNumber, body)
                }
                break
            }
            let rest = filled - start
            if rest > Self.maxLineLength {
                throw BlocklistError(file: path, line: lineNumber + 1, "line longer than \(Self.maxLineLength) bytes")
            }
            if start > 0 { memmove(buffer, buffer + start, rest) }
            filled = rest
        }
    }

    /// Hands `buffer[start..<end]` to `body`, without a trailing carriage return.
    private func deliver(
        _ buffer: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int, _ line: Int,
        _ body: (UnsafeBufferPointer<UInt8>, Int) throws(BlocklistError) -> Void
    ) throws(BlocklistError) {
        var end = end
        if end > start && buffer[end - 1] == 0x0D { end -= 1 }
        guard end - start <= Self.maxLineLength else {
            throw BlocklistError(file: path, line: line, "line longer than \(Self.maxLineLength) bytes")
        }
        try body(UnsafeBufferPointer(start: buffer + start, count: end - start), line)
    }
}
