import GRDB
import Model

/// One search hit: a text field of a live record whose words match.
public struct SearchHit: Sendable, Equatable {
    public let collection: String
    public let id: String
    /// The leaf that matched (`title`, `leaving_reason.theme`).
    public let field: String
    /// The matching passage: plain text with ``SearchHit/matchStart`` and ``SearchHit/matchEnd``
    /// around each matched word and `…` where text was cut.
    public let snippet: String

    /// Marks the start of a matched word in ``snippet`` (a private-use character).
    public static let matchStart = "\u{E000}"
    /// Marks the end of a matched word in ``snippet``.
    public static let matchEnd = "\u{E001}"
}

/// A page of hits, best first.
public struct SearchPage: Sendable, Equatable {
    public let hits: [SearchHit]
    /// Whether more hits follow this page.
    public let hasMore: Bool
}

extension ReadSession {
    /// Full-text search over every text leaf of every collection, best first: FTS5's bm25 times the
    /// leaf's search weight (titles above bodies), ties by position in the index.
    ///
    /// Input that uses FTS5 syntax (phrases, `OR`, `NEAR`, prefixes) is run as written when SQLite
    /// accepts it; anything else, or anything SQLite refuses, is searched as plain words
    /// (``FullTextQuery/words(_:)``). It never fails because of what the user typed.
    ///
    /// Only on a reader with the search file attached, once the index has caught up: ``Store/search(_:limit:offset:)``
    /// does both, and is the one to call.
    func search(_ input: String, limit: Int, offset: Int) throws -> SearchPage {
        if FullTextQuery.looksLikeSyntax(input) {
            do {
                return try search(match: input, limit: limit, offset: offset)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
                // Not valid FTS5 syntax after all ("fts5: syntax error near …"): search the words.
            }
        }
        guard let words = FullTextQuery.words(input) else { return SearchPage(hits: [], hasMore: false) }
        do {
            return try search(match: words, limit: limit, offset: offset)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            // Quoted words are always valid syntax; should FTS5 still refuse one, it matches nothing.
            return SearchPage(hits: [], hasMore: false)
        }
    }

    private func search(match: String, limit: Int, offset: Int) throws -> SearchPage {
        let ranked = try rank(match: match, count: offset + limit + 1).dropFirst(offset)
        let page = Array(ranked.prefix(limit))
        guard !page.isEmpty else { return SearchPage(hits: [], hasMore: false) }
        let placeholders = Array(repeating: "?", count: page.count).joined(separator: ",")
        var arguments: StatementArguments = [SearchHit.matchStart, SearchHit.matchEnd, match]
        for rowID in page { arguments += [rowID] }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT search_index.rowid, records.collection, records.id,
                       snippet(search_index, 0, ?, ?, '…', 16)
                FROM search_index JOIN records ON records.rowid = search_index.rowid / \(SearchIndex.rowsPerRecord)
                WHERE search_index MATCH ? AND search_index.rowid IN (\(placeholders)) AND records.body IS NOT NULL
                """,
            arguments: arguments)
        var byRowID: [Int64: SearchHit] = [:]
        for row in rows {
            let rowID: Int64 = row[0]
            let name: String = row[1]
            guard let collection = Catalog.collection(name) else { continue }
            let leafIndex = Int(rowID % SearchIndex.rowsPerRecord)
            guard leafIndex < collection.leaves.count else { continue }
            byRowID[rowID] = SearchHit(
                collection: name, id: row[2], field: collection.leaves[leafIndex].name, snippet: row[3])
        }
        return SearchPage(hits: page.compactMap { byRowID[$0] }, hasMore: ranked.count > limit)
    }

    /// The best `count` index rows for `match`, by bm25 times the leaf's search weight, then rowid.
    ///
    /// Reading each match's weight is what costs most for a common word, so rows are streamed by raw
    /// bm25 (always negative: lower is better) and weighed one by one, and the scan stops once no
    /// unseen row can make the cut: an unseen row's raw bm25 is no better than the current row's `b`,
    /// so its weighted score is no better than `b * maxWeight`. Deep pages take the plain query.
    private func rank(match: String, count: Int) throws -> [Int64] {
        if count > 1000 {
            return try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT rowid FROM search_index WHERE search_index MATCH ?
                        ORDER BY bm25(search_index) * weight, rowid LIMIT ?
                        """),
                arguments: [match, count]
            ).map { $0[0] as Int64 }
        }
        let cursor = try Row.fetchCursor(
            db.cachedStatement(
                sql: "SELECT rowid, bm25(search_index) FROM search_index WHERE search_index MATCH ? ORDER BY 2, 1"),
            arguments: [match])
        let collectionOf = try db.cachedStatement(sql: "SELECT collection FROM records WHERE rowid = ?")
        var best: [(score: Double, rowID: Int64)] = []
        best.reserveCapacity(count + 1)
        while let row = try cursor.next() {
            let rowID: Int64 = row[0]
            let raw: Double = row[1]
            if best.count == count, raw < 0, best[count - 1].score < raw * Self.maxSearchWeight { break }
            let record = rowID / SearchIndex.rowsPerRecord
            guard let name = try String.fetchOne(collectionOf, arguments: [record]),
                let weights = Self.searchWeights[name]
            else { continue }
            let leaf = Int(rowID % SearchIndex.rowsPerRecord)
            let candidate = (score: raw * (leaf < weights.count ? weights[leaf] : 1), rowID: rowID)
            // Keep `best` sorted and at most `count` long.
            let position = best.partitioningIndex { ($0.score, $0.rowID) > (candidate.score, candidate.rowID) }
            if position < count {
                best.insert(candidate, at: position)
                if best.count > count { best.removeLast() }
            }
        }
        return best.map(\.rowID)
    }

    /// Each collection's leaf weights, by leaf index (the index rows' `rowid % 64`).
    private static let searchWeights: [String: [Double]] = Dictionary(
        uniqueKeysWithValues: Catalog.all.map { ($0.name, $0.leaves.map(\.searchWeight)) })

    private static let maxSearchWeight: Double = Catalog.all.flatMap(\.leaves).map(\.searchWeight).max() ?? 1
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then true
    /// along the array (binary search).
    fileprivate func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
