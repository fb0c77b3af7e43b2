import ArgumentParser
import FaceGateAPI
import FaceGateClient
import Foundation

/// `facegate gallery ...`: list, show, delete identities and faces, gallery stats.
struct GalleryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Manage the gallery of a running server.",
        subcommands: [List.self, Show.self, Delete.self, DeleteFace.self, Stats.self]
    )

    /// `gallery list`: every identity (all pages), optionally by display-name prefix.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List identities.")
        @OptionGroup var options: ServerOptions
        @Option(help: "Only identities whose display name starts with this.")
        var prefix: String = ""
        @Option(help: "Identities per page requested.")
        var pageSize: Int = ListIdentitiesRequest.defaultPageSize

        func run() async throws {
            try await withFaceGateClient(options) { client in
                var request = ListIdentitiesRequest()
                request.displayNamePrefix = prefix
                request.pageSize = pageSize
                var shown = 0
                repeat {
                    let page = try await client.listIdentities(request)
                    for identity in page.identities {
                        print("\(identity.identityID)\t\(identity.displayName)\t\(identity.faceCount) face(s)")
                    }
                    shown += page.identities.count
                    if shown == 0 && page.nextPageToken.isEmpty { print("(no identities)") }
                    request.pageToken = page.nextPageToken
                    if page.nextPageToken.isEmpty { print("\(shown) of \(page.totalCount) identities") }
                } while !request.pageToken.isEmpty
            }
        }
    }

    /// `gallery show ID`: one identity and its faces.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one identity and its faces.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "Identity id.") var identityID: String

        func run() async throws {
            try await withFaceGateClient(options) { client in
                let response = try await client.getIdentity(identityID)
                let identity = response.identity
                print("identity \(identity.identityID)\nname \(identity.displayName)\nfaces \(identity.faceCount)")
                if identity.createdUnixMs > 0 { print("created \(Self.date(identity.createdUnixMs))") }
                for entry in identity.metadata { print("metadata \(entry.key)=\(entry.value)") }
                for face in response.faces {
                    print("  face \(face.faceID) quality \(fixed(Double(face.quality), 3)) added \(Self.date(face.createdUnixMs))")
                }
            }
        }

        static func date(_ unixMs: Int64) -> String {
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
        }
    }

    /// `gallery delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an identity and its embeddings.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "Identity id.") var identityID: String

        func run() async throws {
            try await withFaceGateClient(options) { client in
                let response = try await client.deleteIdentity(identityID)
                print("deleted \(identityID) (\(response.facesDeleted) face(s))")
            }
        }
    }

    /// `gallery delete-face FACE_ID`.
    struct DeleteFace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete-face", abstract: "Delete one enrolled face.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "Face id.") var faceID: String

        func run() async throws {
            try await withFaceGateClient(options) { client in
                let response = try await client.deleteFace(faceID)
                print("deleted face \(faceID) of identity \(response.identityID)")
            }
        }
    }

    /// `gallery stats`.
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Gallery size, model and index.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            try await withFaceGateClient(options) { client in
                let stats = try await client.galleryStats()
                print("identities \(stats.identityCount)\nfaces \(stats.faceCount)\nmodel \(stats.modelID)")
                print("embedding dim \(stats.embeddingDim)\nindex \(stats.indexKind)\nthreshold \(fixed(Double(stats.threshold), 3))")
                print("index memory \(stats.indexMemoryBytes) bytes\nstore \(stats.storeBytes) bytes")
            }
        }
    }
}
