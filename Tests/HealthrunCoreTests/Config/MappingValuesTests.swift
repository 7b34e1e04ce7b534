import Testing
import Yams

@testable import HealthrunCore

/// A mapping's values by key: a short list searched in order for the few keys of a check, a
/// dictionary past sixteen keys; either way the first of repeated keys wins, as before.
@Suite struct MappingValuesTests {
    @Test(arguments: [3, 16, 17, 40])
    func everyKeyFindsItsValueAndTheFirstOfARepeatedKeyWins(count: Int) {
        var pairs = (0..<count).map { (Node("k\($0)"), Node("v\($0)")) }
        pairs.append((Node("k0"), Node("repeated")))
        pairs.append((Node("1"), Node("a number as a key")))
        let values = Node.Mapping(pairs).valuesByKey
        for index in 0..<count {
            #expect(values["k\(index)"]?.scalar?.string == "v\(index)", "k\(index) of \(count)")
        }
        #expect(values["1"]?.scalar?.string == "a number as a key")
        #expect(values["absent"] == nil)
        #expect(values[""] == nil)
    }
}

/// The keys readers asked for: a list for the few keys of a check, with a set beside it past
/// 32 (a `headers:` map of thousands), answering the same either way.
@Suite struct OpenedMappingTests {
    @Test(arguments: [5, 32, 33, 500])
    func touchedKeysAreKnownOnceInOrderWhetherFewOrMany(count: Int) {
        let opened = DecodingSession.OpenedMapping(Node.Mapping([]))
        for index in 0..<count {
            opened.touch("k\(index)")
            opened.touch("k\(index / 2)")
        }
        for index in 0..<count { #expect(opened.wasTouched("k\(index)"), "k\(index) of \(count)") }
        #expect(!opened.wasTouched("k\(count)"))
        #expect(!opened.wasTouched(""))
        #expect(opened.knownKeys == (0..<count).map { "k\($0)" })
    }
}
