import Testing
@testable import OODGate

@Suite("Evaluation")
struct EvaluationTests {
    @Test("confusion table rates")
    func confusion() {
        let t = ConfusionTable(predicted: [true, true, false, false, true, false, false, false],
                               actual: [true, true, true, false, false, false, false, false])
        #expect(t.truePositives == 2 && t.falseNegatives == 1 && t.falsePositives == 1 && t.trueNegatives == 4)
        #expect(abs(t.tpr - 2.0 / 3) < 1e-12 && abs(t.fnr - 1.0 / 3) < 1e-12)
        #expect(abs(t.tnr - 0.8) < 1e-12 && abs(t.fpr - 0.2) < 1e-12)
        #expect(t.summary.contains("TPR 66.7%"))
    }

    @Test("identification: first image is the gallery, a planted impostor-like probe fails, excluding it fixes the error")
    func identification() {
        // 1-d embeddings: identity 0 at 0, identity 1 at 10, identity 2 (singleton) at 20.
        let emb: [Float] = [0, 0.5, 9.5, 10, 10.4, 20, 8]
        let ids = [0, 0, 1, 1, 1, 2, 0]  // last row: identity 0 but near identity 1 (OOD)
        let eval = IdentificationEvaluation(embeddings: emb, dimensions: 1, identities: ids)
        let all = eval.run()
        #expect(all.gallerySize == 3 && all.probes == 4 && all.correct == 3)
        #expect(all.perProbe.map(\.row) == [1, 3, 4, 6] && all.perProbe.last?.correct == false)
        let excluded = eval.run(eligible: [true, true, true, true, true, true, false])
        #expect(excluded.probes == 3 && excluded.correct == 3)
        // Excluding a gallery image promotes the identity's next eligible image.
        let noFirst = eval.run(eligible: [false, true, true, true, true, true, true])
        #expect(noFirst.gallerySize == 3 && noFirst.probes == 3)
    }

    @Test("discard curve: dropping the highest-score probes first removes the errors")
    func curve() {
        let correct = [true, true, false, true, false, true, true, true, true, true]
        let scores: [Float] = [0.1, 0.2, 0.9, 0.3, 0.8, 0.1, 0.2, 0.3, 0.4, 0.5]
        let c = DiscardCurve(correct: correct, scores: scores, fractions: [0, 0.1, 0.2, 0.5])
        #expect(c.points.map(\.kept) == [10, 9, 8, 5])
        #expect(abs(c.points[0].error - 0.2) < 1e-12)
        #expect(abs(c.points[1].error - 1.0 / 9) < 1e-12)
        #expect(c.points[2].error == 0)
        #expect(c.csv.hasPrefix("discarded_fraction,error_rate,kept_probes\n0.0000,0.200000,10\n"))
        let svg = c.svg(title: "a < b", operatingPoint: c.points[2])
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.contains("a &lt; b") && svg.contains("<circle"))
    }
}
