// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "healthrun",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "healthrun", targets: ["healthrun"]),
        .library(name: "HealthrunCore", targets: ["HealthrunCore"]),
        .library(name: "HealthrunCheckers", targets: ["HealthrunCheckers"]),
        .library(name: "HealthrunPostgres", targets: ["HealthrunPostgres"]),
        .library(name: "HealthrunReporters", targets: ["HealthrunReporters"]),
        .library(name: "HealthrunServe", targets: ["HealthrunServe"]),
        .library(name: "HealthrunCLI", targets: ["HealthrunCLI"]),
        .library(name: "HealthrunDemo", targets: ["HealthrunDemo"]),
        .library(name: "HealthrunTesting", targets: ["HealthrunTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        .target(
            name: "HealthrunCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HealthrunCheckers",
            dependencies: [
                "HealthrunCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // libpq's header only (libpq-dev); the library is opened with dlopen on first use.
        .systemLibrary(
            name: "CLibPQ",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "HealthrunPostgres",
            dependencies: ["HealthrunCore", "CLibPQ"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HealthrunReporters",
            dependencies: ["HealthrunCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HealthrunServe",
            dependencies: [
                "HealthrunCore",
                "HealthrunReporters",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HealthrunCLI",
            dependencies: [
                "HealthrunCore",
                "HealthrunCheckers",
                "HealthrunPostgres",
                "HealthrunReporters",
                "HealthrunServe",
                "HealthrunDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "healthrun",
            dependencies: ["HealthrunCLI"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "healthrun-example",
            dependencies: ["HealthrunCLI", "HealthrunCore"],
            path: "Examples/CustomHealthrun",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HealthrunDemo",
            dependencies: [
                "HealthrunCore",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HealthrunTesting",
            dependencies: [
                "HealthrunCore",
                "HealthrunDemo",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HealthrunCoreTests",
            dependencies: [
                "HealthrunCore", "HealthrunTesting", .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HealthrunCheckersTests",
            dependencies: [
                "HealthrunCore", "HealthrunCheckers", "HealthrunReporters", "HealthrunServe", "HealthrunTesting",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HealthrunPostgresTests",
            dependencies: ["HealthrunCore", "HealthrunPostgres", "HealthrunTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HealthrunReportersTests",
            dependencies: ["HealthrunCore", "HealthrunReporters", "HealthrunTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HealthrunServeTests",
            dependencies: [
                "HealthrunServe", "HealthrunCore", "HealthrunReporters", "HealthrunTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HealthrunCLITests",
            dependencies: [
                "healthrun", "healthrun-example", "HealthrunCLI", "HealthrunCore", "HealthrunServe", "HealthrunTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
