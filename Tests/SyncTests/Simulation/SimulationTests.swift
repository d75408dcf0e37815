import Foundation
import Testing

/// Convergence: whatever the replicas did and however their changes travelled, after quiet full
/// syncs they hold identical records (data and metadata).
@Suite struct SimulationTests {
    static let seeds = Array(UInt64(1)...UInt64(ProcessInfo.processInfo.environment["JOBPREP_SIM_SEEDS"].flatMap { UInt64($0) } ?? 200))

    @Test(arguments: seeds)
    func replicasConverge(seed: UInt64) throws {
        var simulation = try Simulation(seed: seed)
        try simulation.run(steps: 60)
        let states = try simulation.settle()
        for (i, state) in states.enumerated().dropFirst() {
            let same = state == states[0]
            #expect(same, "seed \(seed): replica r\(i) differs from r0\n\(simulation.log.joined(separator: "\n"))\n\(Self.diff(states[0], state))")
            if !same { break }
        }
    }

    static func diff(_ a: [String], _ b: [String]) -> String {
        let onlyA = Set(a).subtracting(b).sorted()
        let onlyB = Set(b).subtracting(a).sorted()
        return "only in r0:\n" + onlyA.joined(separator: "\n") + "\nonly in the other:\n" + onlyB.joined(separator: "\n")
    }
}
