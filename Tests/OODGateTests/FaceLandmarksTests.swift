import Embedding
import Testing
@testable import OODGate

@Suite("FaceLandmarks")
struct FaceLandmarksTests {
    @Test("a rotated landmark set has that roll", arguments: [Float(-60), -25, 0, 10, 33, 80])
    func roll(degrees: Float) {
        let l = Fixtures.rotate(Fixtures.landmarks(), degrees: degrees)
        #expect(abs(l.rollDegrees - degrees) < 1e-3)
        #expect(abs(l.interOcularDistance - 40) < 1e-3)
        // Yaw is measured along the eye line, so rotation alone does not change it.
        #expect(abs(l.yawProxy) < 1e-4)
    }

    @Test("yaw proxy: nose offset over half the inter-ocular distance, clamped", arguments: [
        (Float(0), Float(0)), (10, 0.5), (-10, -0.5), (20, 1), (35, 1), (-50, -1),
    ])
    func yaw(shift: Float, expected: Float) {
        let l = Fixtures.landmarks(iod: 40, noseShift: shift)
        #expect(abs(l.yawProxy - expected) < 1e-5)
    }

    @Test("yaw of a rotated, turned face is unchanged by the rotation")
    func yawUnderRotation() {
        let l = Fixtures.rotate(Fixtures.landmarks(iod: 40, noseShift: 8), degrees: 30)
        #expect(abs(l.yawProxy - 0.4) < 1e-4)
    }

    @Test("points round trip in ArcFace order; wrong counts are refused")
    func points() {
        let l = Fixtures.landmarks()
        #expect(FaceLandmarks(points: l.points) == l)
        #expect(FaceLandmarks(points: Array(l.points.prefix(4))) == nil)
    }

    @Test("dlib's eye corners become eye centres, ordered by x, whatever dlib's eye order")
    func dlibPoints() throws {
        let corners = [Point2(x: 140, y: 100), Point2(x: 120, y: 102), Point2(x: 60, y: 102), Point2(x: 80, y: 98),
                       Point2(x: 106, y: 130)]
        let l = try #require(FaceLandmarks(dlibPoints: corners))
        #expect(l.leftEye == Point2(x: 70, y: 100) && l.rightEye == Point2(x: 130, y: 101))
        #expect(l.nose == Point2(x: 106, y: 130))
        #expect(abs(l.interOcularDistance - (3600 + 1 as Float).squareRoot()) < 1e-4)
        // Nose 6 px right of the eye midpoint (plus 30 px down, which the eye-line tilt of
        // 1/60 projects as 0.5 px): (6 + 0.5) / (IOD / 2).
        #expect(abs(l.yawProxy - 6.5 / 30.004) < 0.01)
        #expect(FaceLandmarks(dlibPoints: Array(corners.prefix(3))) == nil)
    }

    @Test("degenerate eyes give zero yaw instead of NaN")
    func degenerate() {
        let p = Point2(x: 5, y: 5)
        let l = FaceLandmarks(leftEye: p, rightEye: p, nose: Point2(x: 9, y: 9), leftMouth: p, rightMouth: p)
        #expect(l.yawProxy == 0)
        #expect(l.interOcularDistance == 0)
    }
}
