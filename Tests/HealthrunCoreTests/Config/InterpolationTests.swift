import HealthrunCore
import Testing

@Suite struct InterpolationTests {
    let environment = ["HOST": "127.0.0.1", "EMPTY": "", "API_KEY": "sk-123"]

    @Test func expandsVariablesAndDefaults() {
        let expansion = Interpolation.expand("http://${HOST}:${PORT:-8080}/${EMPTY:-x}", environment: environment)
        #expect(expansion.value == "http://127.0.0.1:8080/x")
        #expect(expansion.undefined.isEmpty)
        #expect(expansion.used.map(\.name) == ["HOST"])
    }

    @Test func reportsUndefinedWithOffset() {
        let expansion = Interpolation.expand("a ${NOPE} b ${ALSO_NOPE}", environment: environment)
        #expect(expansion.undefined.map(\.name) == ["NOPE", "ALSO_NOPE"])
        #expect(expansion.undefined.map(\.offset) == [2, 12])
        #expect(expansion.value == "a  b ")
    }

    @Test func leavesDollarsAloneAndEscapes() {
        #expect(Interpolation.expand("cost $5 and $${HOST}", environment: environment).value == "cost $5 and ${HOST}")
        #expect(Interpolation.expand("$HOST", environment: environment).value == "$HOST")
    }

    @Test func reportsMalformedReferences() {
        #expect(
            Interpolation.expand("${HOST", environment: environment).malformed.first?.message
                == "unterminated '${' (missing '}')")
        #expect(Interpolation.expand("${1X}", environment: environment).malformed.count == 1)
    }

    @Test(arguments: [
        ("API_KEY", true), ("BOT_TOKEN", true), ("DB_PASSWORD", true), ("PGPASS", true), ("CLIENT_SECRET", true),
        ("AWS_CREDENTIALS", true), ("HOST", false), ("BASE_URL", false),
    ])
    func secretNames(name: String, isSecret: Bool) {
        #expect(Interpolation.isSecretName(name) == isSecret)
    }
}
