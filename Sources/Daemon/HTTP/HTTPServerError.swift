/// Why an ``HTTPServer`` could not be created or started; `description` is a sentence for the operator.
public struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The host is not an IP literal, or not an address of this machine.
        case invalidAddress
        /// Another socket already listens on the address and port.
        case addressInUse
        /// Binding needs privileges (a port below 1024, say).
        case permissionDenied
        /// Binding failed for another reason.
        case cannotListen
        /// A configuration value is out of range.
        case invalidConfiguration
        /// libmicrohttpd refused to start (see the error log for its reason).
        case startFailed
        /// `start()` was called on a server that was already started.
        case alreadyStarted
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
