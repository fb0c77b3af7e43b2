// swift-tools-version: 6.0
// FaceGate: an open-set face recognition server (gRPC over HTTP/2 on nghttp2).
// Targets and what each may import are described in README.md ("Layout").
import PackageDescription

let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let nioSSL: Target.Dependency = .product(name: "NIOSSL", package: "swift-nio-ssl")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let nioHTTP1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

// GalleryIndex's SIMD8 kernels need AVX2 + FMA (x86-64-v3): without it FMA lowers to scalar
// fmaf calls. Other architectures build with their defaults.
#if arch(x86_64)
let avx2: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]
#else
let avx2: [SwiftSetting] = []
#endif

let package = Package(
    name: "FaceGate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "facegate", targets: ["facegate"]),
        .executable(name: "facegate-interop", targets: ["facegate-interop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // C shims and generated C.
        .target(name: "CNGHTTP2", linkerSettings: [.linkedLibrary("nghttp2")]),
        .target(name: "CFaceGateProto", linkerSettings: [.linkedLibrary("protobuf-c")]),
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png")]),
        // The CNN engine's SIMD kernels (AVX2/FMA with runtime dispatch) and the OpenBLAS forwarder.
        .target(
            name: "CEmbeddingKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast"])],
            linkerSettings: [.linkedLibrary("openblas"), .linkedLibrary("m")]
        ),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3"),
        .target(name: "CGalleryLapack", linkerSettings: [.linkedLibrary("openblas")]),

        // Transport and protocol.
        .target(name: "GRPCProtocol"),
        // The nghttp2 session plumbing both ends share (set-up, send loop, data-source copy).
        .target(name: "NGHTTP2Support", dependencies: ["CNGHTTP2", nioCore]),
        .target(
            name: "GRPCHTTP2Server",
            dependencies: ["CNGHTTP2", "CZlib", "GRPCProtocol", "NGHTTP2Support", nioCore, nioPosix, nioSSL, logging]
        ),
        .target(
            name: "GRPCHTTP2Client",
            dependencies: ["CNGHTTP2", "GRPCProtocol", "NGHTTP2Support", nioCore, nioPosix, nioSSL, logging,
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        .target(name: "GRPCHealth", dependencies: ["GRPCProtocol", "CFaceGateProto"]),

        // Face pipeline.
        .target(name: "FaceGateAPI", dependencies: ["CFaceGateProto", "GRPCProtocol"]),
        .target(name: "FaceGateClient", dependencies: ["GRPCHTTP2Client", "FaceGateAPI", "CFaceGateProto"]),
        .target(name: "Embedding", dependencies: ["CFaceGateProto", "CEmbeddingKernels", "CImageCodecs", logging]),
        .target(name: "OODGate", dependencies: ["Embedding"]),
        .target(
            name: "GalleryIndex",
            dependencies: ["CSQLite", "CGalleryLapack"],
            swiftSettings: avx2
        ),
        .target(
            name: "FaceGateService",
            dependencies: [
                "FaceGateAPI", "GRPCHTTP2Server", "GRPCHealth", "Embedding", "OODGate", "GalleryIndex", logging,
                metrics, prometheus, nioCore, nioPosix, nioHTTP1,
            ]
        ),

        // Executables.
        .executableTarget(
            name: "facegate",
            dependencies: ["FaceGateService", "FaceGateClient", "Embedding", "GalleryIndex", "OODGate", argumentParser, logging]
        ),
        .executableTarget(
            name: "facegate-interop",
            dependencies: ["GRPCHTTP2Server", "GRPCHealth", "GRPCProtocol", "CFaceGateProto", argumentParser, logging]
        ),

        // Tests.
        .target(
            name: "FaceGateTesting",
            dependencies: ["FaceGateService", "GRPCHTTP2Server", "CNGHTTP2"],
            path: "Tests/FaceGateTesting"
        ),
        .testTarget(name: "GRPCProtocolTests", dependencies: ["GRPCProtocol"]),
        .testTarget(
            name: "GRPCHTTP2ServerTests", dependencies: ["GRPCHTTP2Server", "GRPCProtocol", "FaceGateTesting", "CZlib", "CNGHTTP2"]
        ),
        .testTarget(
            name: "GRPCHTTP2ClientTests",
            dependencies: ["GRPCHTTP2Client", "GRPCHTTP2Server", "GRPCProtocol", "FaceGateClient", "FaceGateAPI", "GRPCHealth"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "FaceGateAPITests", dependencies: ["FaceGateAPI"]),
        .testTarget(name: "EmbeddingTests", dependencies: ["Embedding"], exclude: ["Fixtures"]),
        .testTarget(name: "OODGateTests", dependencies: ["OODGate"]),
        .testTarget(name: "GalleryIndexTests", dependencies: ["GalleryIndex"]),
        .testTarget(name: "FaceGateServiceTests", dependencies: ["FaceGateService", "FaceGateTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
