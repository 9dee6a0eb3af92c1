// Primary responsibilities: dropping root after the sockets are bound, when started as root
// outside systemd (under systemd, User=/DynamicUser= and AmbientCapabilities= do this instead).

import CMamoriNet

#if canImport(Glibc)
    import Glibc
#endif

/// The outcome of ``Privileges/dropRoot(to:)``.
package enum PrivilegeDrop: Equatable, Sendable {
    /// Not running as root: nothing to do.
    case notRoot
    /// Now running as the named user.
    case dropped(user: String, uid: UInt32, gid: UInt32)
    /// The user does not exist: still root.
    case noSuchUser(String)
}

/// Process credentials.
package enum Privileges {
    /// If running as root, switches to `user` (supplementary groups cleared, then group, then
    /// user, and root checked to be unrecoverable).
    /// - Throws: ``SocketError`` (with the errno) when a step fails: running on as root after
    ///   failing to drop would be worse than stopping.
    package static func dropRoot(to user: String) throws(SocketError) -> PrivilegeDrop {
        guard geteuid() == 0 else { return .notRoot }
        guard let entry = getpwnam(user) else { return .noSuchUser(user) }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        guard CMamoriNet_dropPrivileges(uid, gid) == 0 else { throw SocketError("switch to user", user) }
        return .dropped(user: user, uid: uid, gid: gid)
    }
}
