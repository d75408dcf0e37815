// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "jobprep",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "jobprepd", targets: ["jobprepd"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure Swift: JSON, the collection catalog, validation. No dependencies.
        .target(name: "Model"),
        // Clocks, change cells and the merge rule. Pure; sees only Model.
        .target(name: "Sync", dependencies: ["Model"]),
        // SQLite through GRDB: migrations, the one mutation path, queries, tokens.
        .target(
            name: "Storage",
            dependencies: [
                "Model", "Sync", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the two queries of every request (Database/FirstRow.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                "CSQLiteShim",
            ]
        ),
        // What Swift cannot call directly: sqlite3_config (variadic; Database/SQLiteSetup.swift) and the VFS method
        // that maps the WAL index (Database/CommitProbe.swift).
        .systemLibrary(
            name: "CSQLiteShim",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // The TLS client of peer sync (GnuTLS is already there: libmicrohttpd-dev depends on it).
        .systemLibrary(
            name: "CGnuTLS",
            pkgConfig: "gnutls",
            providers: [.apt(["libgnutls28-dev"])]
        ),
        // glibc's malloc tuning (mallopt, in <malloc.h>, which the Glibc module leaves out; App/MallocTuning.swift).
        .systemLibrary(name: "CMalloc"),
        // HTTP (libmicrohttpd), routing, handlers and the command line.
        .target(
            name: "Daemon",
            dependencies: [
                "Model", "Sync", "Storage", "CMicroHTTPD", "CGnuTLS", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Linked by lld with packed relative relocations (DT_RELR, glibc 2.36): the position-independent binary's
        // relocation table is 35 KB instead of 2 MB, and the loader no longer keeps those pages resident for the life
        // of the daemon (peak RSS, Benchmarks/PROFILE.md "Session 8"). gold, the default here, cannot pack them.
        .executableTarget(
            name: "jobprepd", dependencies: ["Daemon"],
            linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"])]
        ),
        // What the test targets share (the seeded generator of the randomized tests).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ModelTests", dependencies: ["Model", "TestSupport"]),
        .testTarget(name: "SyncTests", dependencies: ["Sync", "Model", "Storage", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Sync", "Model", "TestSupport"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Storage", "Model", "Sync", "TestSupport"]),
    ]
)
