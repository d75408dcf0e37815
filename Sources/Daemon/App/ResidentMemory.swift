#if canImport(Glibc)
    import Glibc
#endif

/// The process's resident set size, as `/proc/self/statm` counts it (its second field, in pages); 0 where there is
/// no such file.
enum ResidentMemory {
    static func bytes() -> Int {
        #if canImport(Glibc)
            let fd = open("/proc/self/statm", O_RDONLY)
            guard fd >= 0 else { return 0 }
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 128)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return 0 }
            let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
            guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
            return pages * sysconf(Int32(_SC_PAGESIZE))
        #else
            return 0
        #endif
    }
}
