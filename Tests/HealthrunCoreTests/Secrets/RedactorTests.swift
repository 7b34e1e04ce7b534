import Foundation
import HealthrunCore
import Testing

@Suite struct RedactorTests {
    @Test(arguments: [
        ("sk-ant-api03-0123456789abcdef", "sk-a…cdef"), ("short-secret", "****"), ("0123456789abcdef", "0123…cdef"),
    ])
    func masksLikeThePanelDid(secret: String, masked: String) {
        #expect(Redactor.mask(secret) == masked)
        #expect(Secret(secret).description == masked)
        #expect("\(Secret(secret))" == masked)
    }

    @Test func catchesEncodedForms() {
        let redactor = Redactor()
        let token = "123456789:AAbb/cc+dd=ee\"ff"
        redactor.register(token)
        let encodedPath = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let base64 = Data(token.utf8).base64EncodedString()
        let text =
            "GET /bot\(token)/getMe; GET /bot\(encodedPath)/getMe; {\"t\":\"123456789:AAbb\\/cc+dd=ee\\\"ff\"}; Basic \(base64)"
        let redacted = redactor.redact(text)
        #expect(!redacted.contains("AAbb"))
        #expect(!redacted.contains(base64))
        #expect(redacted.contains("1234…e\"ff"))
    }

    /// JSON writers differ on `/` (JSONSerialization writes `\/`, JSONText and most others do
    /// not) and escape controls: each form is caught.
    @Test(arguments: [false, true])
    func catchesTheSecretInJSONFromEitherKindOfWriter(escapesSlash: Bool) throws {
        let redactor = Redactor()
        let token = "tok/en\"with\\quote\tand-tab"
        redactor.register(token)
        let json: String
        if escapesSlash {
            json = String(decoding: try JSONSerialization.data(withJSONObject: ["t": token]), as: UTF8.self)
            #expect(json.contains("\\/"))
        } else {
            json = #"{"t":"tok/en\"with\\quote\tand-tab"}"#
        }
        #expect(redactor.redact(json) == #"{"t":"tok/…-tab"}"#, "\(json)")
    }

    @Test func ignoresVeryShortValues() {
        let redactor = Redactor()
        redactor.register("ab")
        #expect(redactor.redact("abc ab") == "abc ab")
        #expect(redactor.isEmpty)
    }
}
