import HealthrunCore
import HealthrunTesting
import Testing

@Suite struct EnvFileTests {
    @Test func parsesTheFormat() {
        let text = """
            # comment
            PLAIN=value
            export EXPORTED=yes
            SPACED = padded  # trailing comment
            DOUBLE="a \\"quoted\\" line\\nnext"
            SINGLE='keeps $ and \\n'
            EMPTY=

            """
        let (values, diagnostics) = EnvFile.parse(text, file: ".env")
        #expect(diagnostics.isEmpty)
        #expect(values["PLAIN"] == "value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SPACED"] == "padded")
        #expect(values["DOUBLE"] == "a \"quoted\" line\nnext")
        #expect(values["SINGLE"] == "keeps $ and \\n")
        #expect(values["EMPTY"] == "")
    }

    @Test func locatesMistakes() {
        let (_, diagnostics) = EnvFile.parse("OK=1\nno equals here\n1BAD=x\nQ=\"open\n", file: "conf.env")
        #expect(
            diagnostics.map(\.description) == [
                "conf.env:2:1: error: expected KEY=VALUE in env file\n  hint: write each variable as NAME=value; start comments with #",
                "conf.env:3:1: error: invalid variable name '1BAD' in env file\n  hint: names are letters, digits and _ and do not start with a digit",
                "conf.env:4:3: error: missing closing \" in env file",
            ])
    }

    @Test func theRealEnvironmentWins() throws {
        let directory = try TemporaryFile.make(".env", "A=file\nB=file\n")
        defer { directory.remove() }
        let (environment, diagnostics) = EnvironmentLoader.load(
            processEnvironment: ["B": "process"],
            envFile: directory.path + "/.env"
        )
        #expect(diagnostics.isEmpty)
        #expect(environment["A"] == "file")
        #expect(environment["B"] == "process")
    }

    @Test func aMissingNamedEnvFileIsAnError() {
        let (_, diagnostics) = EnvironmentLoader.load(processEnvironment: [:], envFile: "/nonexistent/healthrun.env")
        #expect(diagnostics.first?.message == "env file '/nonexistent/healthrun.env' does not exist")
    }
}
