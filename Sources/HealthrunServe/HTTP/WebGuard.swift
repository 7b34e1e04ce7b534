import Foundation
import HTTPTypes
import HealthrunCore
public import Hummingbird
import HummingbirdBcrypt
import NIOConcurrencyHelpers

/// What the HTTP surface allows, past the connection limits: the routes' methods (405 with
/// `Allow` for others), basic authentication from the web config, the lifecycle endpoint, and
/// the headers every answer carries.
public struct WebGuard<Context: RequestContext>: RouterMiddleware {
    /// Paths that take `POST` (and nothing else); every other path takes `GET` and `HEAD`.
    static var postPaths: Set<String> { ["/-/reload"] }

    let users: [String: String]
    let publicPaths: Set<String>
    let lifecycle: Bool
    let verified: VerifiedCredentials

    /// - Parameters:
    ///   - web: the `--web-config` file's settings (basic auth users, paths without auth).
    ///   - lifecycle: whether `POST /-/reload` works (`--enable-lifecycle`).
    public init(web: WebConfiguration?, lifecycle: Bool) {
        users = web?.users ?? [:]
        publicPaths = Set(web?.publicPaths ?? WebConfiguration.defaultPublicPaths)
        self.lifecycle = lifecycle
        verified = VerifiedCredentials()
    }

    @concurrent public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await answer(request, context: context, next: next)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }

    private func answer(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let allowed: [HTTPRequest.Method] = Self.postPaths.contains(path) ? [.post] : [.get, .head]
        guard allowed.contains(request.method) else {
            var headers = HTTPFields()
            headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return Self.plain(
                "\(request.method.rawValue) is not allowed on \(path); use \(headers[.allow] ?? "")\n",
                status: .methodNotAllowed, headers: headers)
        }
        if !users.isEmpty, !publicPaths.contains(path), !authorized(request) {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Basic realm=\"healthrun\", charset=\"UTF-8\""
            return Self.plain("authentication required\n", status: .unauthorized, headers: headers)
        }
        if request.method == .post {
            guard lifecycle else {
                return Self.plain(
                    "the lifecycle API is off; start serve with --enable-lifecycle, or send SIGHUP to reload\n",
                    status: .forbidden)
            }
            // A browser names the page that sent the request: only serve's own pages may.
            if let origin = request.headers[.origin], let host = request.head.authority,
                origin != "http://\(host)", origin != "https://\(host)"
            {
                return Self.plain(
                    "cross-origin request refused (Origin \(JSONText.escaped(origin)) is not this server)\n",
                    status: .forbidden)
            }
        }
        return try await next(request, context)
    }

    /// `Authorization: Basic` against the bcrypt hashes; a user that does not exist costs the
    /// same bcrypt as one that does, so timing does not tell which names exist.
    private func authorized(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return false }
        let user = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        let hash = users[user] ?? WebConfiguration.decoyHash
        return verified.check(user: user, password: password, hash: hash) && users[user] != nil
    }

    static func plain(_ text: String, status: HTTPResponse.Status, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// bcrypt answers that were computed already, as Prometheus' exporter-toolkit keeps them: a
/// page and its event stream send the same credentials with every request, and bcrypt costs
/// tens of milliseconds of CPU each time. Bounded; cleared when full.
final class VerifiedCredentials: Sendable {
    private let answers = NIOLockedValueBox<[String: Bool]>([:])

    func check(user: String, password: String, hash: String) -> Bool {
        let key = "\(user.utf8.count):\(user)\(hash)\(password)"
        if let known = answers.withLockedValue({ $0[key] }) { return known }
        let valid = Bcrypt.verify(password, hash: hash)
        answers.withLockedValue { answers in
            if answers.count >= 256 { answers.removeAll() }
            answers[key] = valid
        }
        return valid
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}
