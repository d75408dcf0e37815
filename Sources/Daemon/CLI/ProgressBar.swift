import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and the work is large
/// enough to wait for; silent when output is piped or redirected.
final class ProgressBar {
    /// Work smaller than this finishes before a bar would help.
    static let threshold = 2000

    private let label: String
    private let enabled: Bool
    private var lastDrawn: UInt64 = 0
    private var drawn = false

    init(_ label: String, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.enabled = isTerminal
    }

    /// Redraws at most ten times a second; draws nothing for work under ``threshold`` items.
    func update(_ done: Int, of total: Int) {
        guard enabled, total >= Self.threshold else { return }
        let now = Monotonic.nanoseconds()
        guard done >= total || now - lastDrawn >= 100_000_000 else { return }
        lastDrawn = now
        drawn = true
        FileHandle.standardError.write(Data(Self.line(label, done, total).utf8))
    }

    /// A status line instead of a bar, for work whose total is not known (sync pages).
    func status(_ text: String) {
        guard enabled else { return }
        let now = Monotonic.nanoseconds()
        guard now - lastDrawn >= 100_000_000 else { return }
        lastDrawn = now
        drawn = true
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(label) \(text)".utf8))
    }

    /// Ends the bar's line.
    func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        drawn = false
    }

    /// `\r<label> [#########-----------]  45% 2250/5000`
    static func line(_ label: String, _ done: Int, _ total: Int, width: Int = 30) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int(fraction * Double(width))
        let percent = String(Int(fraction * 100))
        return "\r\(label) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            + "] " + String(repeating: " ", count: 3 - percent.count) + percent + "% \(done)/\(total)"
    }
}
