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

    @Test func ignoresVeryShortValues() {
        let redactor = Redactor()
        redactor.register("ab")
        #expect(redactor.redact("abc ab") == "abc ab")
        #expect(redactor.isEmpty)
    }
}
