import CMicroHTTPD

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The C callbacks given to libmicrohttpd.
///
/// They are static members of a non-isolated type on purpose: a closure written in top-level code is inferred
/// `@MainActor` and traps when libmicrohttpd calls it from a worker thread.
/// Manual, "Callback functions definition": https://www.gnu.org/software/libmicrohttpd/manual/libmicrohttpd.html
enum MHDCallbacks {
    /// `MHD_AccessHandlerCallback`, called several times per request: once the headers are in (we create the
    /// context), once per piece of body, once more when the request is complete (we call the handler), and again
    /// after each resume (we queue the deferred response).
    static let accessHandler: MHD_AccessHandlerCallback = {
        cls, connection, url, method, version, uploadData, uploadDataSize, context in
        guard let cls, let connection, let uploadDataSize, let context else { return MHD_Result.NO }
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        // The context is normally made by `readRequestTarget`, before the headers arrive.
        let responder: Responder
        if let existing = context.pointee {
            responder = Unmanaged<Responder>.fromOpaque(existing).takeUnretainedValue()
        } else {
            responder = Responder(connection: ConnectionHandle(pointer: connection), core: core)
            context.pointee = Unmanaged.passRetained(responder).toOpaque()
        }
        if !responder.started {
            responder.started = true
            responder.counted = core.requestStarted()
            return responder.headersReceived(path: url)
        }
        return responder.proceed(
            url: url, method: method, version: version, uploadData: uploadData, uploadDataSize: uploadDataSize)
    }

    /// `MHD_OPTION_URI_LOG_CALLBACK`: called with the raw request target once the request line is in, before
    /// libmicrohttpd splits the query and before any header. Creates the request's context (its return value becomes
    /// `*con_cls`), and keeps libmicrohttpd from parsing a query of more than ``RequestCheck/maxQueryItems`` items:
    /// each costs it a record in the connection's memory pool, and when the pool runs out libmicrohttpd 0.9.75 leaves
    /// the connection hanging without an answer until it times out.
    static let readRequestTarget: MHDURILogCallback = { cls, uri, connection in
        guard let cls, let connection else { return nil }
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        let responder = Responder(connection: ConnectionHandle(pointer: connection), core: core)
        if let uri, let query = strchr(uri, 0x3F), RequestCheck.countQueryItems(query + 1) > RequestCheck.maxQueryItems
        {
            // The target lies in libmicrohttpd's own (writable) read buffer, passed as const; ending it right after
            // the "?" leaves an empty query to parse. The request is then refused in `headersReceived`.
            UnsafeMutablePointer(mutating: query + 1).pointee = 0
            responder.refusal = "the query has more than \(RequestCheck.maxQueryItems) items"
        }
        return Unmanaged.passRetained(responder).toOpaque()
    }

    /// `MHD_RequestCompletedCallback`: releases the context created on the first call, exactly once.
    static let requestCompleted: MHD_RequestCompletedCallback = { _, _, context, _ in
        guard let context, let pointer = context.pointee else { return }
        context.pointee = nil
        Unmanaged<Responder>.fromOpaque(pointer).takeRetainedValue().requestCompleted()
    }

    /// `MHD_ContentReaderCallback` for streamed bodies; `cls` is the retained ``ResponseStream``.
    static let readStream: MHD_ContentReaderCallback = { cls, _, buffer, capacity in
        guard let cls, let buffer else { return MHD_CONTENT_READER_END_WITH_ERROR }
        return Unmanaged<ResponseStream>.fromOpaque(cls).takeUnretainedValue().read(into: buffer, capacity: capacity)
    }

    /// `MHD_ContentReaderFreeCallback`: drops the stream's retain when libmicrohttpd frees the response.
    static let releaseStream: MHD_ContentReaderFreeCallback = { cls in
        guard let cls else { return }
        Unmanaged<ResponseStream>.fromOpaque(cls).release()
    }

    /// `MHD_LogCallback`; `cls` is the retained ``LogSink``.
    static let log: MHD_LogCallback = { cls, format, arguments in
        guard let cls, let format, let arguments else { return }
        var buffer = [CChar](repeating: 0, count: 512)
        let written = vsnprintf(&buffer, buffer.count, format, arguments)
        guard written >= 0 else { return }
        var message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        while message.last?.isNewline == true { message.removeLast() }
        Unmanaged<LogSink>.fromOpaque(cls).takeUnretainedValue().write(message)
    }

    /// `MHD_KeyValueIteratorN` appending to the ``HeaderCollector`` that `cls` points to.
    static let collectHeader: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
        guard let cls else { return MHD_Result.NO }
        let collector = cls.assumingMemoryBound(to: HeaderCollector.self)
        if let value, valueSize > 0, UnsafeRawBufferPointer(start: value, count: valueSize).contains(0) {
            collector.pointee.malformed = true
        }
        collector.pointee.fields.append(
            HTTPHeaders.Field(name: string(key, keySize), value: string(value, valueSize)))
        return MHD_Result.YES
    }

    /// `MHD_KeyValueIteratorN` appending to the ``QueryCollector`` that `cls` points to.
    static let collectQueryItem: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
        guard let cls else { return MHD_Result.NO }
        let collector = cls.assumingMemoryBound(to: QueryCollector.self)
        if !isText(key, keySize) || !isText(value, valueSize) { collector.pointee.malformed = true }
        collector.pointee.items.append(QueryItem(name: string(key, keySize), value: string(value, valueSize)))
        return MHD_Result.YES
    }

    private static func isText(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> Bool {
        guard let pointer, count > 0 else { return true }
        return RequestCheck.isText(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func string(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> String {
        guard let pointer, count > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}

/// The server's error log, retained for as long as the daemon runs.
final class LogSink: Sendable {
    let write: @Sendable (String) -> Void

    init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }
}
