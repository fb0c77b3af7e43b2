import Testing
@testable import OODGate

@Suite("ThresholdRule")
struct ThresholdRuleTests {
    let scores: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.55, 0.85, 0.9, 0.99]
    let labels = [false, false, false, false, false, false, false, false, false, false, true, true, true, true]

    @Test("target TNR accepts at least that fraction of in-distribution scores", arguments: [Float(0.5), 0.8, 0.9, 1.0])
    func targetTNR(target: Float) {
        let t = ThresholdRule.targetTNR(target).threshold(scores: scores, labels: labels)
        let negatives = zip(scores, labels).filter { !$0.1 }.map(\.0)
        let accepted = Float(negatives.filter { $0 < t }.count) / Float(negatives.count)
        #expect(accepted >= target)
        // And not more than one face beyond it (the threshold is as low as allowed).
        #expect(accepted < target + 0.1 + 1e-6)
    }

    @Test("balanced maximises TPR + TNR")
    func balanced() {
        // Perfectly separable: any threshold in (0.4, 0.6] gives J = 2.
        let t = ThresholdRule.balanced.threshold(scores: [0.1, 0.2, 0.4, 0.6, 0.9], labels: [false, false, false, true, true])
        #expect(t > 0.4 && t <= 0.6)
    }

    @Test("without in-distribution scores the threshold is 0.5")
    func empty() {
        #expect(ThresholdRule.targetTNR(0.9).threshold(scores: [0.3], labels: [true]) == 0.5)
    }
}
