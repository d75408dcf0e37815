import CMicroHTTPD

/// The worker side of a request: the steps the access handler takes, in libmicrohttpd's order.
/// Everything here runs on the worker thread that owns the connection.
extension Responder {
    /// First call: only the headers are in. Nothing is answered here (libmicrohttpd 0.9.75 closes a keep-alive
    /// connection answered on the first call) except when the connection should close anyway: during shutdown,
    /// or when `Content-Length` already exceeds the body limit (then the body is never read).
    func headersReceived(path: UnsafePointer<CChar>?) -> MHD_Result {
        bodyLimit = core.bodyLimit(path: path)
        guard counted else {
            phase = .answered
            return queue(.shuttingDown)
        }
        let transferEncoding = MHD_lookup_connection_value(connection.pointer, .HEADER_KIND, "Transfer-Encoding")
        if let why = refusal
            ?? RequestCheck.framingRefusal(
                transferEncoding: transferEncoding.map { String(cString: $0) },
                hasContentLength: MHD_lookup_connection_value(connection.pointer, .HEADER_KIND, "Content-Length") != nil
            )
        {
            phase = .answered
            return queue(.problem(status: 400, title: "Bad Request", detail: why, headers: ["Connection": "close"]))
        }
        if let length = declaredContentLength() {
            guard length <= bodyLimit else {
                phase = .answered
                return queue(.payloadTooLarge(limit: bodyLimit))
            }
            // Reserve up front, but not more than a small body: a client may announce much and send little.
            if length > 0 { body.reserveCapacity(min(length, 64 * 1024)) }
        }
        return MHD_Result.YES
    }

    /// Every later call: a piece of body, the end of the request, or a resume.
    func proceed(
        url: UnsafePointer<CChar>?,
        method: UnsafePointer<CChar>?,
        version: UnsafePointer<CChar>?,
        uploadData: UnsafePointer<CChar>?,
        uploadDataSize: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        let size = uploadDataSize.pointee
        switch phase {
        case .receiving:
            guard size == 0 else {
                uploadDataSize.pointee = 0
                if body.count + size > bodyLimit {
                    body = []
                    phase = .discarding(received: size)
                } else if let uploadData {
                    body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: size))
                }
                return MHD_Result.YES
            }
            return dispatch(url: url, method: method, version: version)
        case .discarding(let received):
            guard size == 0 else {
                // A response cannot be queued while upload data is being delivered: read and drop the rest, then
                // answer; give up on clients that keep sending far past the limit.
                uploadDataSize.pointee = 0
                let total = received + size
                guard total <= core.discardLimit(for: bodyLimit) else { return MHD_Result.NO }
                phase = .discarding(received: total)
                return MHD_Result.YES
            }
            phase = .answered
            return queue(.payloadTooLarge(limit: bodyLimit))
        case .awaiting:
            guard let response = takeResumedResponse() else { return MHD_Result.YES }
            phase = .answered
            return queue(response)
        case .answered:
            return MHD_Result.YES
        }
    }

    /// The request is complete: hand it to the handler, then queue its answer or wait for it suspended.
    private func dispatch(
        url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?
    ) -> MHD_Result {
        let (request, refusal) = makeRequest(url: url, method: method, version: version)
        wasLarge = body.count >= Heap.largeRequestBytes
        body = []
        if let refusal {
            phase = .answered
            return queue(.problem(status: 400, title: "Bad Request", detail: refusal))
        }
        core.handler.handle(request, self)
        guard let response = takeResponseOrSuspend() else {
            phase = .awaiting
            return MHD_Result.YES
        }
        phase = .answered
        return queue(response)
    }

    /// Copies everything a handler may read out of libmicrohttpd's connection memory, which is reused after the
    /// request: the request may travel to another thread and outlive it.
    /// Also says why the request must be refused before any handler sees it (``RequestCheck``), if it must.
    private func makeRequest(
        url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?
    ) -> (HTTPRequest, refusal: String?) {
        let pointer = connection.pointer
        var headers = HeaderCollector()
        let headerCount = MHD_get_connection_values_n(pointer, .HEADER_KIND, nil, nil)
        if headerCount > 0 {
            headers.fields.reserveCapacity(Int(headerCount))
            _ = withUnsafeMutablePointer(to: &headers) {
                MHD_get_connection_values_n(pointer, .HEADER_KIND, MHDCallbacks.collectHeader, $0)
            }
        }
        var query = QueryCollector()
        let queryCount = MHD_get_connection_values_n(pointer, .GET_ARGUMENT_KIND, nil, nil)
        if queryCount > 0 {
            query.items.reserveCapacity(Int(queryCount))
            _ = withUnsafeMutablePointer(to: &query) {
                MHD_get_connection_values_n(pointer, .GET_ARGUMENT_KIND, MHDCallbacks.collectQueryItem, $0)
            }
        }
        let request = HTTPRequest(
            method: method.map { String(cString: $0) } ?? "",
            path: url.map { String(cString: $0) } ?? "/",
            query: query.items,
            headers: HTTPHeaders(fields: headers.fields),
            body: body,
            remote: RemoteAddress(jp_mhd_connection_client_address(pointer))
        )
        return (request, RequestCheck.refusal(path: url, version: version, headers: headers, query: query))
    }

    /// `Content-Length` as announced, nil when absent; a value too big for Int counts as too large.
    /// (libmicrohttpd answers 400 to malformed ones before calling us.)
    private func declaredContentLength() -> Int? {
        guard let value = MHD_lookup_connection_value(connection.pointer, .HEADER_KIND, "Content-Length") else {
            return nil
        }
        var length = 0
        var pointer = value
        while pointer.pointee == 0x20 || pointer.pointee == 0x09 { pointer += 1 }
        while pointer.pointee >= 0x30 && pointer.pointee <= 0x39 {
            let (product, overflow) = length.multipliedReportingOverflow(by: 10)
            let (sum, carry) = product.addingReportingOverflow(Int(pointer.pointee - 0x30))
            guard !overflow, !carry else { return Int.max }
            length = sum
            pointer += 1
        }
        return length
    }

    // MARK: Queueing

    /// Builds the libmicrohttpd response and queues it; never traps. A response that cannot be built becomes a 500,
    /// and if even that fails the connection is closed (`MHD_Result.NO`).
    func queue(_ response: HTTPResponse) -> MHD_Result {
        guard (100...999).contains(response.status) else {
            core.log("handler answered with invalid HTTP status \(response.status); sending 500 instead")
            return queue(.internalError("the handler produced an invalid status"))
        }
        guard let mhdResponse = makeMHDResponse(response.body) else {
            core.log("libmicrohttpd could not create a response (out of memory?)")
            if case .stream = response.body {
                return queue(.internalError("the response could not be created"))
            }
            return MHD_Result.NO
        }
        // Manual, "Building responses to requests": https://www.gnu.org/software/libmicrohttpd/manual/libmicrohttpd.html
        defer { MHD_destroy_response(mhdResponse) }
        for field in response.headers {
            let added = MHD_add_response_header(mhdResponse, field.name, field.value)
            if added != MHD_Result.YES {
                // libmicrohttpd refuses Content-Length (it sets it) and names or values with control characters.
                core.log("dropped response header \(field.name.debugDescription): refused by libmicrohttpd")
            }
        }
        let queued = MHD_queue_response(connection.pointer, UInt32(response.status), mhdResponse)
        if queued != MHD_Result.YES {
            core.log("libmicrohttpd refused to queue a \(response.status) response; closing the connection")
        }
        return queued
    }

    private func makeMHDResponse(_ body: ResponseBody) -> OpaquePointer? {
        switch body {
        case .bytes(let bytes):
            return bytes.withUnsafeBytes {
                MHD_create_response_from_buffer(
                    $0.count, UnsafeMutableRawPointer(mutating: $0.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .stream(let stream):
            guard stream.attach(to: connection, core: core) else {
                core.log("a ResponseStream was used for two responses; sending 500 instead")
                return nil
            }
            self.stream = stream
            let retained = Unmanaged.passRetained(stream).toOpaque()
            guard
                let response = MHD_create_response_from_callback(
                    jp_mhd_size_unknown, 16 * 1024, MHDCallbacks.readStream, retained, MHDCallbacks.releaseStream)
            else {
                Unmanaged<ResponseStream>.fromOpaque(retained).release()
                return nil
            }
            return response
        }
    }
}

extension HTTPResponse {
    static func payloadTooLarge(limit: Int) -> HTTPResponse {
        .problem(
            status: 413, title: "Payload Too Large", detail: "the request body is larger than \(limit) bytes",
            headers: ["Connection": "close"])
    }

    static func internalError(_ detail: String) -> HTTPResponse {
        .problem(status: 500, title: "Internal Server Error", detail: detail)
    }
}
