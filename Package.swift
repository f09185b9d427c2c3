// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "doe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "doe", targets: ["doe"]),
        .library(name: "DoeLinalg", targets: ["DoeLinalg"]),
        .library(name: "DoeDesign", targets: ["DoeDesign"]),
        .library(name: "DoeStudy", targets: ["DoeStudy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        // MARK: - C shims (Debian packages: libopenblas-dev liblapacke-dev libnlopt-dev libhdf5-dev)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CNLopt", pkgConfig: "nlopt", providers: [.apt(["libnlopt-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),

        .target(name: "CDoeSupport"),

        // MARK: - Numerics
        .target(name: "DoeBase"),
        .target(name: "DoeLinalg", dependencies: ["CBLAS", "CLAPACKE", "DoeBase"]),
        .target(name: "DoeOptim", dependencies: ["CNLopt", "DoeBase"]),
        .target(name: "DoeHDF5", dependencies: ["CHDF5", "DoeBase"]),
        .target(name: "DoeModelFormat", dependencies: ["DoeBase"]),
        .target(name: "DoeNeural", dependencies: [
            "DoeBase", "DoeLinalg", "DoeModelFormat", "DoeHDF5", "DoeProvenance", "CDoeSupport", .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "DoeProvenance", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "DoeONNX", dependencies: ["DoeBase", "DoeModelFormat", "DoeNeural", "DoeLinalg", "DoeProvenance", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["Proto"]),

        // MARK: - Design space, samplers, Gaussian processes, Bayesian optimization, studies
        .target(name: "DoeDesign", dependencies: ["DoeBase", .product(name: "Yams", package: "Yams")]),
        .target(name: "DoeGP", dependencies: ["DoeBase", "DoeLinalg", "DoeOptim"]),
        .target(name: "DoeBO", dependencies: ["DoeBase", "DoeGP", "DoeDesign", "DoeOptim", "DoeLinalg"]),
        .target(name: "DoeJournal", dependencies: ["DoeBase"]),
        .target(name: "DoeStudy", dependencies: ["DoeBase", "DoeDesign", "DoeJournal", "DoeProvenance"]),
        .target(name: "DoeStrategies", dependencies: [
            "DoeBase", "DoeDesign", "DoeJournal", "DoeStudy", "DoeBO", "DoeGP", "DoeHDF5", "DoeLinalg", "DoeModelFormat", "DoeNeural",
            "DoeProvenance",
        ]),
        .target(name: "DoeSurrogateSearch", dependencies: ["DoeBase", "DoeDesign", "DoeLinalg", "DoeModelFormat", "DoeNeural", "DoeOptim"]),
        .target(name: "DoeMLflow", dependencies: ["DoeBase"]),
        .target(name: "DoePlot"),
        .target(name: "DoeReport", dependencies: ["DoeBase", "DoePlot", "DoeStudy", "DoeStrategies", "DoeBO", "DoeGP", "DoeDesign", "DoeLinalg", "DoeModelFormat", "DoeNeural"],
                resources: [.copy("Notebooks")]),
        .target(name: "DoeRegistry", dependencies: ["DoeBase", "DoeJournal", "DoeModelFormat", "DoeProvenance", .product(name: "Yams", package: "Yams")]),

        // MARK: - Command line
        .target(name: "DoeCLI", dependencies: [
            "DoeBase", "DoeJournal", "DoeStudy", "DoeStrategies", "DoeDesign", "DoeLinalg", "DoeBO", "DoeGP", "CDoeSupport", "DoeHDF5", "DoeModelFormat", "DoeNeural", "DoeONNX", "DoeProvenance", "DoeRegistry", "DoeMLflow", "DoeReport", "DoeSurrogateSearch",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "doe", dependencies: ["DoeCLI"]),
        .executableTarget(name: "doe-bench-train", dependencies: ["DoeModelFormat", "DoeNeural", "DoeHDF5", "DoeLinalg"]),

        // MARK: - Tests
        .testTarget(name: "DoeLinalgTests", dependencies: ["DoeLinalg"]),
        .testTarget(name: "DoeOptimTests", dependencies: ["DoeOptim"]),
        .testTarget(name: "DoeSurrogateSearchTests", dependencies: ["DoeSurrogateSearch", "DoeNeural", "DoeModelFormat", "DoeDesign", "DoeLinalg"]),
        .testTarget(name: "DoeProvenanceTests", dependencies: ["DoeProvenance"]),
        .testTarget(name: "DoeNeuralTests", dependencies: ["DoeNeural", "DoeModelFormat", "DoeLinalg", "DoeBase"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DoeHDF5Tests", dependencies: ["DoeHDF5"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DoeGPTests", dependencies: ["DoeGP", "DoeBO", "DoeDesign", "DoeLinalg", "DoeBase"]),
        .testTarget(name: "DoeDesignTests", dependencies: ["DoeDesign", "DoeBase"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DoeStudyTests", dependencies: ["DoeStudy", "DoeStrategies", "DoeJournal", "DoeBase", "DoeDesign", "DoeHDF5", "DoeNeural", "DoeModelFormat", "DoeBO", "DoeLinalg"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DoeCLITests", dependencies: ["DoeStudy", .product(name: "Yams", package: "Yams")], exclude: ["Golden"]),
        .testTarget(name: "DoeReportTests", dependencies: ["DoeReport", "DoePlot", "DoeDesign", "DoeStudy", "DoeStrategies", "DoeBase", "DoeBO"]),
    ]
)
