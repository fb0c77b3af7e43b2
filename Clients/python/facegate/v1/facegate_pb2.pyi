from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PixelFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PIXEL_FORMAT_UNSPECIFIED: _ClassVar[PixelFormat]
    PIXEL_FORMAT_RGB8: _ClassVar[PixelFormat]
    PIXEL_FORMAT_BGR8: _ClassVar[PixelFormat]
    PIXEL_FORMAT_GRAY8: _ClassVar[PixelFormat]
    PIXEL_FORMAT_RGBA8: _ClassVar[PixelFormat]
    PIXEL_FORMAT_BGRA8: _ClassVar[PixelFormat]

class RejectReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REJECT_REASON_UNSPECIFIED: _ClassVar[RejectReason]
    REJECT_REASON_BLURRY: _ClassVar[RejectReason]
    REJECT_REASON_TOO_SMALL: _ClassVar[RejectReason]
    REJECT_REASON_TOO_DARK: _ClassVar[RejectReason]
    REJECT_REASON_TOO_BRIGHT: _ClassVar[RejectReason]
    REJECT_REASON_LOW_CONTRAST: _ClassVar[RejectReason]
    REJECT_REASON_OCCLUDED: _ClassVar[RejectReason]
    REJECT_REASON_POSE: _ClassVar[RejectReason]
    REJECT_REASON_OUT_OF_DISTRIBUTION: _ClassVar[RejectReason]
    REJECT_REASON_NO_FACE: _ClassVar[RejectReason]

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    DECISION_MATCH: _ClassVar[Decision]
    DECISION_UNKNOWN: _ClassVar[Decision]
    DECISION_REJECTED: _ClassVar[Decision]
PIXEL_FORMAT_UNSPECIFIED: PixelFormat
PIXEL_FORMAT_RGB8: PixelFormat
PIXEL_FORMAT_BGR8: PixelFormat
PIXEL_FORMAT_GRAY8: PixelFormat
PIXEL_FORMAT_RGBA8: PixelFormat
PIXEL_FORMAT_BGRA8: PixelFormat
REJECT_REASON_UNSPECIFIED: RejectReason
REJECT_REASON_BLURRY: RejectReason
REJECT_REASON_TOO_SMALL: RejectReason
REJECT_REASON_TOO_DARK: RejectReason
REJECT_REASON_TOO_BRIGHT: RejectReason
REJECT_REASON_LOW_CONTRAST: RejectReason
REJECT_REASON_OCCLUDED: RejectReason
REJECT_REASON_POSE: RejectReason
REJECT_REASON_OUT_OF_DISTRIBUTION: RejectReason
REJECT_REASON_NO_FACE: RejectReason
DECISION_UNSPECIFIED: Decision
DECISION_MATCH: Decision
DECISION_UNKNOWN: Decision
DECISION_REJECTED: Decision

class RawImage(_message.Message):
    __slots__ = ("width", "height", "format", "pixels", "row_stride_bytes")
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    ROW_STRIDE_BYTES_FIELD_NUMBER: _ClassVar[int]
    width: int
    height: int
    format: PixelFormat
    pixels: bytes
    row_stride_bytes: int
    def __init__(self, width: _Optional[int] = ..., height: _Optional[int] = ..., format: _Optional[_Union[PixelFormat, str]] = ..., pixels: _Optional[bytes] = ..., row_stride_bytes: _Optional[int] = ...) -> None: ...

class Box(_message.Message):
    __slots__ = ("x", "y", "width", "height")
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    x: float
    y: float
    width: float
    height: float
    def __init__(self, x: _Optional[float] = ..., y: _Optional[float] = ..., width: _Optional[float] = ..., height: _Optional[float] = ...) -> None: ...

class Point(_message.Message):
    __slots__ = ("x", "y")
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    x: float
    y: float
    def __init__(self, x: _Optional[float] = ..., y: _Optional[float] = ...) -> None: ...

class Face(_message.Message):
    __slots__ = ("encoded", "raw", "box", "landmarks")
    ENCODED_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    BOX_FIELD_NUMBER: _ClassVar[int]
    LANDMARKS_FIELD_NUMBER: _ClassVar[int]
    encoded: bytes
    raw: RawImage
    box: Box
    landmarks: _containers.RepeatedCompositeFieldContainer[Point]
    def __init__(self, encoded: _Optional[bytes] = ..., raw: _Optional[_Union[RawImage, _Mapping]] = ..., box: _Optional[_Union[Box, _Mapping]] = ..., landmarks: _Optional[_Iterable[_Union[Point, _Mapping]]] = ...) -> None: ...

class QualityCues(_message.Message):
    __slots__ = ("face_size_px", "sharpness", "brightness", "clipped_dark_fraction", "clipped_bright_fraction", "contrast", "roll_deg", "yaw_proxy", "landmark_confidence")
    FACE_SIZE_PX_FIELD_NUMBER: _ClassVar[int]
    SHARPNESS_FIELD_NUMBER: _ClassVar[int]
    BRIGHTNESS_FIELD_NUMBER: _ClassVar[int]
    CLIPPED_DARK_FRACTION_FIELD_NUMBER: _ClassVar[int]
    CLIPPED_BRIGHT_FRACTION_FIELD_NUMBER: _ClassVar[int]
    CONTRAST_FIELD_NUMBER: _ClassVar[int]
    ROLL_DEG_FIELD_NUMBER: _ClassVar[int]
    YAW_PROXY_FIELD_NUMBER: _ClassVar[int]
    LANDMARK_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    face_size_px: float
    sharpness: float
    brightness: float
    clipped_dark_fraction: float
    clipped_bright_fraction: float
    contrast: float
    roll_deg: float
    yaw_proxy: float
    landmark_confidence: float
    def __init__(self, face_size_px: _Optional[float] = ..., sharpness: _Optional[float] = ..., brightness: _Optional[float] = ..., clipped_dark_fraction: _Optional[float] = ..., clipped_bright_fraction: _Optional[float] = ..., contrast: _Optional[float] = ..., roll_deg: _Optional[float] = ..., yaw_proxy: _Optional[float] = ..., landmark_confidence: _Optional[float] = ...) -> None: ...

class OodVerdict(_message.Message):
    __slots__ = ("accepted", "ood_score", "threshold", "reasons", "cues")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    OOD_SCORE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    CUES_FIELD_NUMBER: _ClassVar[int]
    accepted: bool
    ood_score: float
    threshold: float
    reasons: _containers.RepeatedScalarFieldContainer[RejectReason]
    cues: QualityCues
    def __init__(self, accepted: _Optional[bool] = ..., ood_score: _Optional[float] = ..., threshold: _Optional[float] = ..., reasons: _Optional[_Iterable[_Union[RejectReason, str]]] = ..., cues: _Optional[_Union[QualityCues, _Mapping]] = ...) -> None: ...

class Timing(_message.Message):
    __slots__ = ("decode_us", "align_us", "queue_us", "embed_us", "gate_us", "search_us", "total_us")
    DECODE_US_FIELD_NUMBER: _ClassVar[int]
    ALIGN_US_FIELD_NUMBER: _ClassVar[int]
    QUEUE_US_FIELD_NUMBER: _ClassVar[int]
    EMBED_US_FIELD_NUMBER: _ClassVar[int]
    GATE_US_FIELD_NUMBER: _ClassVar[int]
    SEARCH_US_FIELD_NUMBER: _ClassVar[int]
    TOTAL_US_FIELD_NUMBER: _ClassVar[int]
    decode_us: int
    align_us: int
    queue_us: int
    embed_us: int
    gate_us: int
    search_us: int
    total_us: int
    def __init__(self, decode_us: _Optional[int] = ..., align_us: _Optional[int] = ..., queue_us: _Optional[int] = ..., embed_us: _Optional[int] = ..., gate_us: _Optional[int] = ..., search_us: _Optional[int] = ..., total_us: _Optional[int] = ...) -> None: ...

class FaceError(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class EmbedRequest(_message.Message):
    __slots__ = ("request_id", "face")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    FACE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    face: Face
    def __init__(self, request_id: _Optional[str] = ..., face: _Optional[_Union[Face, _Mapping]] = ...) -> None: ...

class EmbedResponse(_message.Message):
    __slots__ = ("request_id", "embedding", "model_id", "ood", "timing", "error", "landmarks")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    OOD_FIELD_NUMBER: _ClassVar[int]
    TIMING_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    LANDMARKS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    embedding: _containers.RepeatedScalarFieldContainer[float]
    model_id: str
    ood: OodVerdict
    timing: Timing
    error: FaceError
    landmarks: _containers.RepeatedCompositeFieldContainer[Point]
    def __init__(self, request_id: _Optional[str] = ..., embedding: _Optional[_Iterable[float]] = ..., model_id: _Optional[str] = ..., ood: _Optional[_Union[OodVerdict, _Mapping]] = ..., timing: _Optional[_Union[Timing, _Mapping]] = ..., error: _Optional[_Union[FaceError, _Mapping]] = ..., landmarks: _Optional[_Iterable[_Union[Point, _Mapping]]] = ...) -> None: ...

class ClassifyRequest(_message.Message):
    __slots__ = ("request_id", "face", "top_k")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    FACE_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    face: Face
    top_k: int
    def __init__(self, request_id: _Optional[str] = ..., face: _Optional[_Union[Face, _Mapping]] = ..., top_k: _Optional[int] = ...) -> None: ...

class Candidate(_message.Message):
    __slots__ = ("identity_id", "display_name", "distance", "score", "face_id")
    IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    FACE_ID_FIELD_NUMBER: _ClassVar[int]
    identity_id: str
    display_name: str
    distance: float
    score: float
    face_id: str
    def __init__(self, identity_id: _Optional[str] = ..., display_name: _Optional[str] = ..., distance: _Optional[float] = ..., score: _Optional[float] = ..., face_id: _Optional[str] = ...) -> None: ...

class ClassifyResponse(_message.Message):
    __slots__ = ("request_id", "decision", "candidates", "ood", "timing", "error", "threshold")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    OOD_FIELD_NUMBER: _ClassVar[int]
    TIMING_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    decision: Decision
    candidates: _containers.RepeatedCompositeFieldContainer[Candidate]
    ood: OodVerdict
    timing: Timing
    error: FaceError
    threshold: float
    def __init__(self, request_id: _Optional[str] = ..., decision: _Optional[_Union[Decision, str]] = ..., candidates: _Optional[_Iterable[_Union[Candidate, _Mapping]]] = ..., ood: _Optional[_Union[OodVerdict, _Mapping]] = ..., timing: _Optional[_Union[Timing, _Mapping]] = ..., error: _Optional[_Union[FaceError, _Mapping]] = ..., threshold: _Optional[float] = ...) -> None: ...

class MetadataEntry(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class EnrollStart(_message.Message):
    __slots__ = ("identity_id", "display_name", "metadata", "allow_cross_identity_match")
    IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CROSS_IDENTITY_MATCH_FIELD_NUMBER: _ClassVar[int]
    identity_id: str
    display_name: str
    metadata: _containers.RepeatedCompositeFieldContainer[MetadataEntry]
    allow_cross_identity_match: bool
    def __init__(self, identity_id: _Optional[str] = ..., display_name: _Optional[str] = ..., metadata: _Optional[_Iterable[_Union[MetadataEntry, _Mapping]]] = ..., allow_cross_identity_match: _Optional[bool] = ...) -> None: ...

class EnrollFace(_message.Message):
    __slots__ = ("request_id", "face")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    FACE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    face: Face
    def __init__(self, request_id: _Optional[str] = ..., face: _Optional[_Union[Face, _Mapping]] = ...) -> None: ...

class EnrollRequest(_message.Message):
    __slots__ = ("start", "face")
    START_FIELD_NUMBER: _ClassVar[int]
    FACE_FIELD_NUMBER: _ClassVar[int]
    start: EnrollStart
    face: EnrollFace
    def __init__(self, start: _Optional[_Union[EnrollStart, _Mapping]] = ..., face: _Optional[_Union[EnrollFace, _Mapping]] = ...) -> None: ...

class Identity(_message.Message):
    __slots__ = ("identity_id", "display_name", "metadata", "face_count", "created_unix_ms")
    IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    FACE_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    identity_id: str
    display_name: str
    metadata: _containers.RepeatedCompositeFieldContainer[MetadataEntry]
    face_count: int
    created_unix_ms: int
    def __init__(self, identity_id: _Optional[str] = ..., display_name: _Optional[str] = ..., metadata: _Optional[_Iterable[_Union[MetadataEntry, _Mapping]]] = ..., face_count: _Optional[int] = ..., created_unix_ms: _Optional[int] = ...) -> None: ...

class EnrollStarted(_message.Message):
    __slots__ = ("identity", "created")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    identity: Identity
    created: bool
    def __init__(self, identity: _Optional[_Union[Identity, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class FaceVerdict(_message.Message):
    __slots__ = ("request_id", "accepted", "face_id", "ood", "quality", "duplicate_of_face_id", "matches_identity_id", "matches_distance", "error", "timing")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    FACE_ID_FIELD_NUMBER: _ClassVar[int]
    OOD_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OF_FACE_ID_FIELD_NUMBER: _ClassVar[int]
    MATCHES_IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    MATCHES_DISTANCE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    TIMING_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    accepted: bool
    face_id: str
    ood: OodVerdict
    quality: float
    duplicate_of_face_id: str
    matches_identity_id: str
    matches_distance: float
    error: FaceError
    timing: Timing
    def __init__(self, request_id: _Optional[str] = ..., accepted: _Optional[bool] = ..., face_id: _Optional[str] = ..., ood: _Optional[_Union[OodVerdict, _Mapping]] = ..., quality: _Optional[float] = ..., duplicate_of_face_id: _Optional[str] = ..., matches_identity_id: _Optional[str] = ..., matches_distance: _Optional[float] = ..., error: _Optional[_Union[FaceError, _Mapping]] = ..., timing: _Optional[_Union[Timing, _Mapping]] = ...) -> None: ...

class RejectCount(_message.Message):
    __slots__ = ("reason", "count")
    REASON_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    reason: RejectReason
    count: int
    def __init__(self, reason: _Optional[_Union[RejectReason, str]] = ..., count: _Optional[int] = ...) -> None: ...

class EnrollSummary(_message.Message):
    __slots__ = ("identity", "faces_received", "faces_accepted", "faces_rejected", "rejects", "recommended_face_count", "advice")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    FACES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    FACES_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    FACES_REJECTED_FIELD_NUMBER: _ClassVar[int]
    REJECTS_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDED_FACE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ADVICE_FIELD_NUMBER: _ClassVar[int]
    identity: Identity
    faces_received: int
    faces_accepted: int
    faces_rejected: int
    rejects: _containers.RepeatedCompositeFieldContainer[RejectCount]
    recommended_face_count: int
    advice: str
    def __init__(self, identity: _Optional[_Union[Identity, _Mapping]] = ..., faces_received: _Optional[int] = ..., faces_accepted: _Optional[int] = ..., faces_rejected: _Optional[int] = ..., rejects: _Optional[_Iterable[_Union[RejectCount, _Mapping]]] = ..., recommended_face_count: _Optional[int] = ..., advice: _Optional[str] = ...) -> None: ...

class EnrollResponse(_message.Message):
    __slots__ = ("started", "verdict", "summary")
    STARTED_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    started: EnrollStarted
    verdict: FaceVerdict
    summary: EnrollSummary
    def __init__(self, started: _Optional[_Union[EnrollStarted, _Mapping]] = ..., verdict: _Optional[_Union[FaceVerdict, _Mapping]] = ..., summary: _Optional[_Union[EnrollSummary, _Mapping]] = ...) -> None: ...

class ListIdentitiesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "display_name_prefix")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_PREFIX_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    display_name_prefix: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., display_name_prefix: _Optional[str] = ...) -> None: ...

class ListIdentitiesResponse(_message.Message):
    __slots__ = ("identities", "next_page_token", "total_count")
    IDENTITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    identities: _containers.RepeatedCompositeFieldContainer[Identity]
    next_page_token: str
    total_count: int
    def __init__(self, identities: _Optional[_Iterable[_Union[Identity, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_count: _Optional[int] = ...) -> None: ...

class GetIdentityRequest(_message.Message):
    __slots__ = ("identity_id",)
    IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    identity_id: str
    def __init__(self, identity_id: _Optional[str] = ...) -> None: ...

class EnrolledFace(_message.Message):
    __slots__ = ("face_id", "quality", "created_unix_ms")
    FACE_ID_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    CREATED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    face_id: str
    quality: float
    created_unix_ms: int
    def __init__(self, face_id: _Optional[str] = ..., quality: _Optional[float] = ..., created_unix_ms: _Optional[int] = ...) -> None: ...

class GetIdentityResponse(_message.Message):
    __slots__ = ("identity", "faces")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    FACES_FIELD_NUMBER: _ClassVar[int]
    identity: Identity
    faces: _containers.RepeatedCompositeFieldContainer[EnrolledFace]
    def __init__(self, identity: _Optional[_Union[Identity, _Mapping]] = ..., faces: _Optional[_Iterable[_Union[EnrolledFace, _Mapping]]] = ...) -> None: ...

class DeleteIdentityRequest(_message.Message):
    __slots__ = ("identity_id",)
    IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    identity_id: str
    def __init__(self, identity_id: _Optional[str] = ...) -> None: ...

class DeleteIdentityResponse(_message.Message):
    __slots__ = ("faces_deleted",)
    FACES_DELETED_FIELD_NUMBER: _ClassVar[int]
    faces_deleted: int
    def __init__(self, faces_deleted: _Optional[int] = ...) -> None: ...

class DeleteFaceRequest(_message.Message):
    __slots__ = ("face_id",)
    FACE_ID_FIELD_NUMBER: _ClassVar[int]
    face_id: str
    def __init__(self, face_id: _Optional[str] = ...) -> None: ...

class DeleteFaceResponse(_message.Message):
    __slots__ = ("identity_id",)
    IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    identity_id: str
    def __init__(self, identity_id: _Optional[str] = ...) -> None: ...

class GetGalleryStatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GalleryStats(_message.Message):
    __slots__ = ("identity_count", "face_count", "model_id", "embedding_dim", "index_kind", "threshold", "index_memory_bytes", "store_bytes")
    IDENTITY_COUNT_FIELD_NUMBER: _ClassVar[int]
    FACE_COUNT_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_DIM_FIELD_NUMBER: _ClassVar[int]
    INDEX_KIND_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    INDEX_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    STORE_BYTES_FIELD_NUMBER: _ClassVar[int]
    identity_count: int
    face_count: int
    model_id: str
    embedding_dim: int
    index_kind: str
    threshold: float
    index_memory_bytes: int
    store_bytes: int
    def __init__(self, identity_count: _Optional[int] = ..., face_count: _Optional[int] = ..., model_id: _Optional[str] = ..., embedding_dim: _Optional[int] = ..., index_kind: _Optional[str] = ..., threshold: _Optional[float] = ..., index_memory_bytes: _Optional[int] = ..., store_bytes: _Optional[int] = ...) -> None: ...
