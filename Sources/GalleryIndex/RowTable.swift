/// Row bookkeeping shared by the indexes: which face and identity each stored row holds.
///
/// Rows are dense (0..<rowCount). Removing a row moves the last row into its place, so the
/// owner must move that row's vector data the same way (`remove(row:)` says which).
/// Identities get small dense "slots" so searches can keep per-identity minima in flat arrays.
struct RowTable: Sendable {
    private(set) var faceOfRow: [FaceID] = []
    private(set) var slotOfRow: [Int32] = []
    private var rowOfFace: [FaceID: Int32] = [:]
    private var slotOfIdentity: [IdentityID: Int32] = [:]
    private(set) var identityOfSlot: [IdentityID] = []
    private var rowsInSlot: [Int32] = []
    private var freeSlots: [Int32] = []

    var rowCount: Int { faceOfRow.count }
    var identityCount: Int { slotOfIdentity.count }
    /// Size of per-slot scratch arrays a search needs.
    var slotCapacity: Int { identityOfSlot.count }

    /// Sizes the tables for `rows` faces (bulk builds: no growth slack).
    mutating func reserve(rows: Int) {
        faceOfRow.reserveCapacity(rows)
        slotOfRow.reserveCapacity(rows)
        rowOfFace.reserveCapacity(rows)
    }

    func row(of face: FaceID) -> Int? { rowOfFace[face].map(Int.init) }
    func contains(identity: IdentityID) -> Bool { slotOfIdentity[identity] != nil }

    /// Registers a new row at index `rowCount`; returns its slot.
    mutating func append(face: FaceID, identity: IdentityID) throws(GalleryError) {
        guard rowOfFace[face] == nil else {
            throw GalleryError(.duplicateFace, "face \(face) is already in the index")
        }
        let slot: Int32
        if let s = slotOfIdentity[identity] {
            slot = s
        } else if let s = freeSlots.popLast() {
            slot = s
            identityOfSlot[Int(s)] = identity
            slotOfIdentity[identity] = s
        } else {
            slot = Int32(identityOfSlot.count)
            identityOfSlot.append(identity)
            rowsInSlot.append(0)
            slotOfIdentity[identity] = slot
        }
        rowsInSlot[Int(slot)] += 1
        rowOfFace[face] = Int32(faceOfRow.count)
        faceOfRow.append(face)
        slotOfRow.append(slot)
    }

    /// Forgets `row`; the last row moves into it. Returns the index of the row that moved
    /// (== `row` when it was the last one).
    mutating func remove(row: Int) -> Int {
        let last = faceOfRow.count - 1
        let face = faceOfRow[row]
        let slot = Int(slotOfRow[row])
        rowOfFace[face] = nil
        rowsInSlot[slot] -= 1
        if rowsInSlot[slot] == 0 {
            slotOfIdentity[identityOfSlot[slot]] = nil
            freeSlots.append(Int32(slot))
        }
        if row != last {
            faceOfRow[row] = faceOfRow[last]
            slotOfRow[row] = slotOfRow[last]
            rowOfFace[faceOfRow[row]] = Int32(row)
        }
        faceOfRow.removeLast()
        slotOfRow.removeLast()
        return last
    }

    /// Rows currently holding faces of `identity`, descending (safe to remove in order).
    func rows(of identity: IdentityID) -> [Int] {
        guard let slot = slotOfIdentity[identity] else { return [] }
        var out: [Int] = []
        for r in stride(from: slotOfRow.count - 1, through: 0, by: -1) where slotOfRow[r] == slot { out.append(r) }
        return out
    }

    /// Approximate heap bytes (arrays plus hash tables at ~1.5x load).
    var memoryBytes: Int {
        faceOfRow.capacity * 8 + slotOfRow.capacity * 4 + identityOfSlot.capacity * 8 + rowsInSlot.capacity * 4
            + Int(Double(rowOfFace.capacity) * 12 * 1.1) + Int(Double(slotOfIdentity.capacity) * 12 * 1.1)
    }
}
