import Foundation

/// Whether the files that decide what a long-running healthrun executes can be trusted: a
/// checks.d file can name `type: exec` commands and where credentials go, a plugin is run, an
/// env file fills `${VAR}`s. If another user can change one, that user can run commands as
/// healthrun's user or redirect its credentials. The rule is OpenSSH's `StrictModes`: each file,
/// and the directory holding it, must be owned by this process's user or root and not writable
/// by group or others (a directory with the sticky bit, like /tmp, may be). Symbolic links are
/// followed and the file they lead to is judged.
package enum FileTrust {
    /// One line per untrusted file: the path, its owner and mode, and how to fix it.
    package static func problems(_ paths: [String], role: String) -> [String] {
        var problems: [String] = []
        var judgedDirectories: Set<String> = []
        for path in paths {
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            if let problem = problem(resolved, shownAs: path, role: role) { problems.append(problem) }
            let directory = (resolved as NSString).deletingLastPathComponent
            if judgedDirectories.insert(directory).inserted,
                let problem = problem(directory, shownAs: directory, role: "the directory of \(role)")
            {
                problems.append(problem)
            }
        }
        return problems
    }

    /// What is wrong with one file or directory, if anything.
    static func problem(_ path: String, shownAs shown: String, role: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode & 0o7777
        let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        let sticky = isDirectory && mode & UInt32(S_ISVTX) != 0
        let me = geteuid()
        var wrong: [String] = []
        if info.st_uid != me, info.st_uid != 0 {
            wrong.append("owned by \(userName(info.st_uid)), not by \(me == 0 ? "root" : "\(userName(me)) or root")")
        }
        if mode & 0o022 != 0, !sticky {
            wrong.append("writable by \(mode & 0o002 != 0 ? "others" : "its group") (mode \(String(mode, radix: 8)))")
        }
        guard !wrong.isEmpty else { return nil }
        let fix =
            info.st_uid != me && info.st_uid != 0
            ? "chown \(userName(me)) '\(shown)'" : "chmod go-w '\(shown)'"
        return "\(shown): \(role) is \(wrong.joined(separator: " and ")); another user could change what "
            + "healthrun runs as \(userName(me)). Fix: \(fix), or pass --allow-insecure-files"
    }

    private static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
