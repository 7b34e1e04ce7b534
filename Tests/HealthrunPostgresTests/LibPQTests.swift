import Testing

@testable import HealthrunPostgres

/// libpq is opened on first use: what a machine without it, or with something else under its
/// name, is told.
@Suite struct LibPQTests {
    @Test func aMissingLibraryIsNamedWithWhatToInstall() {
        #expect {
            _ = try LibPQ(library: "libpq-not-installed.so.5")
        } throws: { error in
            let text = "\(error)"
            return text.contains("libpq is not installed (libpq-not-installed.so.5: cannot open shared object file")
                && text.contains("install libpq5 (Debian, Ubuntu)")
        }
    }

    @Test func aLibraryWithoutLibPQsFunctionsIsRefused() {
        #expect {
            _ = try LibPQ(library: "libz.so.1")
        } throws: { error in
            "\(error)" == "libz.so.1 has no PQconninfoParse: it is not libpq, or a libpq older than healthrun supports"
        }
    }

    @Test func theInstalledLibraryOpensAndParsesADSN() throws {
        let pq = try LibPQ.load()
        var message: UnsafeMutablePointer<CChar>?
        let options = try #require(pq.conninfoParse("host=127.0.0.1 port=5 dbname=app", &message))
        defer { pq.conninfoFree(options) }
        #expect(message == nil)
        #expect(try ConnectionString.parse("postgresql://u@127.0.0.1:5/app")["dbname"] == "app")
    }
}
