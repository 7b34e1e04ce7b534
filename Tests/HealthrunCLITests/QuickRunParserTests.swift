import ArgumentParser
import Foundation
import Testing

@testable import HealthrunCLI

/// The plain run's command line is read without ArgumentParser when it can be; what it reads
/// must be what ArgumentParser reads, and what it cannot read must go to ArgumentParser.
struct QuickRunParserTests {
    private func argumentParserReading(_ arguments: [String]) throws -> RunRequest {
        let command = try HealthrunCommand.parseAsRoot(arguments)
        return try #require(command as? RunCommand).request
    }

    @Test(arguments: [
        [],
        ["run"],
        ["-d", "checks.d", "-c", "1", "--timeout", "10s", "-q", "-r", "json:/tmp/r.json", "--plugins-dir", "np"],
        ["run", "--checks-dir", "", "--env-file", "prod.env", "--concurrency", "500", "--timeout", "1m30s"],
        ["-r", "-", "--report", "html:out.html", "-r", "junit:-", "--fail-on", "warn", "--no-color", "--quiet"],
        ["--only", "db", "--tag", "llm", "--only", "proxy", "-v", "--tag", "db"],
        ["--verbose", "--fail-on", "fail", "-d", "a b", "--plugins-dir", "./Plugins"],
    ])
    func readsWhatArgumentParserReads(_ arguments: [String]) throws {
        let quick = try #require(QuickRunParser.parse(arguments), "\(arguments)")
        #expect(quick == (try argumentParserReading(arguments)))
    }

    @Test(arguments: [
        ["--help"], ["-h"], ["run", "--help"], ["--version"], ["help"], ["validate"], ["serve", "-d", "x"],
        ["--timeout=3s"], ["-qv"], ["-c1"], ["-d"], ["--bogus"], ["run", "run"], ["--", "-d"],
        ["-c", "many"], ["-c", "0"], ["--timeout", "0s"], ["--timeout", "soon"], ["--timeout", "-1s"],
        ["--fail-on", "sometimes"], ["--timeout", "1s", "--timeout", "2s"], ["-q", "--quiet"],
        ["-d", "--quiet"], ["--experimental-dump-help"], ["--generate-completion-script", "bash"],
    ])
    func leavesTheRestToArgumentParser(_ arguments: [String]) {
        #expect(QuickRunParser.parse(arguments) == nil, "\(arguments)")
    }

    /// What ArgumentParser says of the run command's arguments: the quick parser's table must
    /// name the same options and flags, so a new option cannot be missed.
    @Test func knowsEveryOptionOfTheRunCommand() throws {
        struct Info: Decodable {
            struct Command: Decodable { var arguments: [Argument]? }
            struct Argument: Decodable {
                struct Name: Decodable { var kind: String, name: String }
                var kind: String
                var names: [Name]?
                var isRepeating: Bool
            }
            var command: Command
        }
        let info = try JSONDecoder().decode(Info.self, from: Data(RunCommand._dumpHelp().utf8))
        let arguments = try #require(info.command.arguments)
        func typed(_ argument: Info.Argument) -> [String] {
            (argument.names ?? []).map { ($0.kind == "long" ? "--" : "-") + $0.name }.sorted()
        }
        let helpFlags: Set = ["-h", "--help", "--version"]
        let options = arguments.filter { $0.kind == "option" }
        let flags = arguments.filter { $0.kind == "flag" }.filter { Set(typed($0)).isDisjoint(with: helpFlags) }
        #expect(arguments.allSatisfy { $0.kind != "positional" })
        #expect(
            Set(options.map(typed)) == Set(QuickRunParser.ValueOption.allCases.map { $0.names.sorted() }))
        #expect(
            Set(options.filter(\.isRepeating).map(typed))
                == Set(QuickRunParser.ValueOption.allCases.filter(\.repeatable).map { $0.names.sorted() }))
        #expect(Set(flags.map(typed)) == Set(QuickRunParser.Flag.allCases.map { $0.names.sorted() }))
    }
}
