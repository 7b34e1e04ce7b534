import HTTPTypes
public import Hummingbird

/// Drops the body of the answer to a `HEAD` request (every `GET` route is also registered for
/// `HEAD`): the `GET` answer's status and headers, no body (RFC 9110 §9.3.2), so uptime probes
/// and `curl -I` work.
public struct HeadRequests<Context: RequestContext>: RouterMiddleware {
    public init() {}

    @concurrent public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response = try await next(request, context)
        guard request.method == .head else { return response }
        var headers = response.headers
        if let length = response.body.contentLength { headers[.contentLength] = String(length) }
        return Response(status: response.status, headers: headers, body: ResponseBody())
    }
}
