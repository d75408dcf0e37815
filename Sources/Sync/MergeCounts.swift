/// Counts from merging a batch of cells: `applied` won their field, `ignored` lost or were
/// already there.
public struct MergeCounts: Sendable, Equatable {
    public var applied = 0
    public var ignored = 0

    public init(applied: Int = 0, ignored: Int = 0) {
        self.applied = applied
        self.ignored = ignored
    }

    public static func + (a: MergeCounts, b: MergeCounts) -> MergeCounts {
        MergeCounts(applied: a.applied + b.applied, ignored: a.ignored + b.ignored)
    }
}
