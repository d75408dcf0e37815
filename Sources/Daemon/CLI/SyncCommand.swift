import ArgumentParser
import Foundation
import Storage
import Sync

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull a peer's changes and push ours until both sides are up to date.",
        discussion: """
            Works on the data directory whether or not a daemon is serving it. The checkpoint with \
            each peer is saved in the same transaction as the batch it covers, so an interrupted \
            sync resumes where it stopped. Example: jobprepd sync --peer https://desktop.lan:8787 \
            --token "$(cat desktop-token)" --ca desktop-ca.pem
            """
    )

    @OptionGroup var data: DataDirectoryOption

    @Option(help: "The peer's base URL, e.g. http://127.0.0.1:8787 or https://desktop.lan:8787.")
    var peer: String

    @Option(help: "A token the peer accepts (scope sync or write).")
    var token: String

    @Option(help: "A PEM file of CA certificates to verify an HTTPS peer with (for self-signed peers).")
    var ca: String?

    @Option(name: .customLong("page-size"), help: "Changes per page (1 to 10000).")
    var pageSize = 5000

    func validate() throws {
        guard (1...10_000).contains(pageSize) else { throw ValidationError("--page-size must be 1 to 10000") }
        _ = try PeerAddress(peer)
    }

    func run() throws {
        let address = try PeerAddress(peer)
        let store = try openStore(data.directory)
        defer { store.close() }
        let remote = HTTPPeer(address: address, token: token, caFile: ca)
        defer { remote.close() }
        var engine = SyncEngine(local: store, remote: remote, peer: address.description, pageSize: pageSize)
        let progress = ProgressBar("syncing with \(address):")
        engine.progress = { report in
            progress.status(
                "pulled \(report.pulled.applied + report.pulled.ignored), pushed \(report.pushed.applied + report.pushed.ignored)")
        }
        let started = Date()
        do {
            let report = try engine.run()
            progress.finish()
            print("synced with \(address) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s: \(report.summary)")
        } catch {
            progress.finish()
            try? store.recordSyncError("\(error)", peer: address.description)
            throw ExitFailure(description: "sync with \(address) failed: \(error)")
        }
    }
}
