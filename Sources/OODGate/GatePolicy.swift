/// What the service does with a face the gate judges out of distribution.
public enum GatePolicy: String, Sendable, Equatable, CaseIterable {
    /// Reject it: Enroll refuses the image, Classify answers `REJECTED` with reasons.
    case exclude
    /// Accept it but report the reasons (the capture app decides).
    case flag
    /// Accept everything; the OOD score and cues are still computed and returned.
    case off
}
