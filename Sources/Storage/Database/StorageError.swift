import GRDB
import Model

/// Why a storage operation failed, in terms the API turns into a status code once, at the edge.
public enum StorageError: Error, Sendable, Equatable {
    /// No live record with that id (404).
    case notFound(collection: String, id: String)
    /// `If-Match` named another version (412).
    case versionMismatch(current: String)
    /// A create named an id that a live record already has (409).
    case alreadyExists(collection: String, id: String)
    /// The request is well-formed but refers to things that are not there, or breaks a rule (422).
    case invalid(ValidationFailure)
    /// The database or its disk is full (507).
    case full
    /// The store is shutting down and takes no more writes (503).
    case closing
    /// The search index has not caught up with the writes a search must see within the time a search waits (503).
    case searchBehind
    /// Anything else SQLite reported: a bug or a broken disk (500).
    case database(String)

    /// Maps SQLite failures to the cases a client can act on (an error of another kind is returned as is).
    public static func wrap(_ error: Error) -> Error {
        if error is StorageError { return error }
        if let db = error as? DatabaseError {
            if db.resultCode == .SQLITE_FULL { return StorageError.full }
            return StorageError.database(db.description)
        }
        return error
    }
}
