import FaceGateAPI
import GalleryIndex

extension FaceGateRuntime {
    /// Parses a wire id (decimal) into a store id.
    static func parseID(_ text: String, field: String) throws(ServiceError) -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw ServiceError(.invalidArgument, "\(field) '\(text.prefix(64))' is not a valid id")
        }
        return id
    }

    /// The wire form of an identity record.
    static func identityMessage(_ record: IdentityRecord) -> IdentityMessage {
        var message = IdentityMessage()
        message.identityID = String(record.id)
        message.displayName = record.displayName
        message.metadata = record.metadata.sorted { $0.key < $1.key }.map { MetadataEntryMessage(key: $0.key, value: $0.value) }
        message.faceCount = record.faceCount
        message.createdUnixMs = record.createdMicros / 1000
        return message
    }

    func listIdentities(_ request: ListIdentitiesRequest) async throws(ServiceError) -> ListIdentitiesResponse {
        let after = request.pageToken.isEmpty ? nil : try Self.parseID(request.pageToken, field: "page_token")
        let page = await gallery.listIdentities(pageSize: request.pageSize, after: after, namePrefix: request.displayNamePrefix)
        var response = ListIdentitiesResponse()
        response.identities = page.page.map(Self.identityMessage)
        response.nextPageToken = page.more ? String(page.page.last!.id) : ""
        response.totalCount = page.total
        return response
    }

    func getIdentity(_ request: GetIdentityRequest) async throws(ServiceError) -> GetIdentityResponse {
        let id = try Self.parseID(request.identityID, field: "identity_id")
        do {
            let record = try await gallery.identity(id)
            let faces = try await gallery.faces(of: id).map {
                EnrolledFaceMessage(faceID: String($0.id), quality: $0.quality ?? 0, createdUnixMs: $0.createdMicros / 1000)
            }
            return GetIdentityResponse(identity: Self.identityMessage(record), faces: faces)
        } catch {
            throw ServiceError(error)
        }
    }

    func deleteIdentity(_ request: DeleteIdentityRequest) async throws(ServiceError) -> DeleteIdentityResponse {
        let id = try Self.parseID(request.identityID, field: "identity_id")
        do {
            let erased = try await gallery.deleteIdentity(id)
            logger.info("identity deleted", metadata: ["identity": "\(id)", "faces_erased": "\(erased)"])
            await refreshGalleryGauges()
            return DeleteIdentityResponse(facesDeleted: erased)
        } catch {
            throw ServiceError(error)
        }
    }

    func deleteFace(_ request: DeleteFaceRequest) async throws(ServiceError) -> DeleteFaceResponse {
        let id = try Self.parseID(request.faceID, field: "face_id")
        do {
            let owner = try await gallery.deleteFace(id)
            logger.info("face deleted", metadata: ["face": "\(id)", "identity": "\(owner)"])
            await refreshGalleryGauges()
            return DeleteFaceResponse(identityID: String(owner))
        } catch {
            throw ServiceError(error)
        }
    }

    func galleryStats() async throws(ServiceError) -> GalleryStatsMessage {
        do {
            let summary = try await gallery.summary()
            var stats = GalleryStatsMessage()
            stats.identityCount = summary.identities
            stats.faceCount = summary.faces
            stats.modelID = modelID
            stats.embeddingDim = pipeline.model.embedder.embeddingLength
            stats.indexKind = summary.indexKind
            stats.threshold = gallery.policy.threshold
            stats.indexMemoryBytes = UInt64(summary.indexMemoryBytes)
            stats.storeBytes = UInt64(summary.storeBytes)
            return stats
        } catch {
            throw ServiceError(error)
        }
    }
}
