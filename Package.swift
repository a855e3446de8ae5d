// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FineTuneSim",
    products: [
        .library(name: "FineTuneSim", targets: ["FineTuneSim"]),
        .executable(name: "ftsim", targets: ["ftsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // GNU GSL through pkg-config; the headers come from Debian's libgsl-dev.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]
        ),
        // zlib, to read gzip-compressed profiler traces.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The only Swift that calls GSL: nonlinear least squares and statistics.
        .target(name: "Fitting", dependencies: ["CGSL"]),
        // The simulator library: specs, lowering, cost model, engine, memory, reports, studies, calibration.
        .target(
            name: "FineTuneSim",
            dependencies: [
                "Fitting",
                "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // The command line, thin over the library.
        .executableTarget(
            name: "ftsim",
            dependencies: [
                "FineTuneSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "ftsim-bench", dependencies: ["FineTuneSim"], path: "Benchmarks/ftsim-bench"),
        .testTarget(name: "FittingTests", dependencies: ["Fitting"]),
        .testTarget(name: "FineTuneSimTests", dependencies: ["FineTuneSim"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["FineTuneSim"]),
    ],
    swiftLanguageModes: [.v6]
)
