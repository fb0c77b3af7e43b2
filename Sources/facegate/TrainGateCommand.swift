import ArgumentParser
import Foundation
import OODGate

/// Options shared by `train-gate` and `eval gate`: where the data is and how it is split, so
/// both commands see the same held-out identities.
struct GateDataOptions: ParsableArguments {
    @Option(help: "Feature file (FGFS) of a labelled folder DIR/identity/*.jpg, with degraded copies (from `scripts/reference-gate-features.py`, later `facegate embed`).")
    var features: String

    @Option(help: "Fraction of identities held out for the report.")
    var heldOut: Double = 0.3

    @Option(help: "Seed of the identity split.")
    var seed: UInt64 = 6

    @Option(help: "Clustering cut distance for label building (default: the 1% quantile of impostor distances).")
    var cut: Float?

    @Option(help: "Neighbours voting when labels are built.")
    var k: Int = 1

    /// The training configuration these options describe.
    func config() -> GateTrainingConfig {
        var c = GateTrainingConfig()
        c.heldOutFraction = heldOut
        c.seed = seed
        c.labels = LabelBuilder(cutDistance: cut, k: k)
        return c
    }

    /// Reads the features and labels them.
    func load(_ config: GateTrainingConfig) throws -> LabelledFeatures {
        let set = try FeatureSet.read(from: features)
        let data = try LabelledFeatures(set, config: config)
        let count = { (p: (LabelledFeatures.Example) -> Bool) in data.examples.filter(p).count }
        print("features: \(set.records.count) faces of \(Set(set.records.map(\.identity)).count) identities, model \(set.modelID)")
        print("labels (cut \(String(format: "%.4f", data.cutDistance))): \(count { $0 == .reference }) references, "
            + "\(count { $0 == .inDistribution }) in distribution, \(count { $0 == .misclassified }) misclassified (OOD), "
            + "\(count { if case .transformed = $0 { true } else { false } }) transformed (OOD)")
        return data
    }
}

/// Writes the held-out report, the discard curve CSV and its SVG plot into `directory`.
func writeGateReport(_ report: GateReport, to directory: String?, title: String) throws {
    print(report.text)
    guard let directory else { return }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try report.text.appending("\n").write(toFile: directory + "/gate-report.txt", atomically: true, encoding: .utf8)
    try report.curve.csv.write(toFile: directory + "/error-vs-discard.csv", atomically: true, encoding: .utf8)
    try report.curve.svg(title: title, operatingPoint: report.operatingPoint)
        .write(toFile: directory + "/error-vs-discard.svg", atomically: true, encoding: .utf8)
    print("wrote \(directory)/gate-report.txt, error-vs-discard.csv, error-vs-discard.svg")
}

/// `facegate train-gate`: trains the OOD gate on a labelled folder's features and saves it.
struct TrainGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-gate",
        abstract: "Train the OOD gate from a labelled folder (seed-style labels + synthetic degradations).",
        discussion: """
            Labels are built the seed's way (cluster each identity, one reference per cluster, \
            k-NN against all references: misclassified = OOD); degraded copies are OOD. 30% of \
            identities are held out for the printed report; the threshold is calibrated on a \
            validation part of the rest.
            """
    )

    @OptionGroup var data: GateDataOptions

    @Option(help: "Labelled folder DIR/identity/*.jpg (needs the embedding pipeline; use --features until it is wired).")
    var dataDir: String?

    @Option(help: "Where to write the gate file.")
    var out: String

    @Option(help: "Directory for the held-out report, CSV and SVG.")
    var reportDir: String?

    @Option(help: "Accept at least this fraction of in-distribution validation faces (threshold rule).")
    var targetTNR: Float = 0.95

    @Flag(help: "Calibrate the threshold by maximising TPR + TNR instead of a target TNR.")
    var balanced = false

    @Option(help: "Hidden layer widths, comma separated.")
    var hidden: String = "64"

    @Option(help: "Share of the OOD loss weight given to misclassification-labelled faces (default: by count).")
    var misclassifiedShare: Double?

    @Option(help: "Maximum training epochs (early stopping on the validation loss).")
    var epochs: Int = 60

    func run() throws {
        if dataDir != nil {
            throw ValidationError("--data-dir needs the embedding pipeline, which is not wired yet: produce --features with scripts/reference-gate-features.py")
        }
        var config = data.config()
        config.thresholdRule = balanced ? .balanced : .targetTNR(targetTNR)
        config.mlp.hidden = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        config.mlp.maxEpochs = epochs
        config.misclassifiedShare = misclassifiedShare
        let labelled = try data.load(config)
        let clock = ContinuousClock()
        let start = clock.now
        let (gate, summary) = try GateTraining.train(labelled, config: config)
        print("trained in \(clock.now - start): \(summary.trainingExamples) examples (\(summary.trainingOOD) OOD), "
            + "validation \(summary.validationExamples) (\(summary.validationOOD) OOD), epochs \(summary.mlp.epochs), "
            + "best \(summary.mlp.bestEpoch), threshold \(String(format: "%.4f", summary.threshold))")
        try GateFile.write(gate, to: out)
        print("wrote \(out)")
        try writeGateReport(try GateReport(gate: gate, data: labelled), to: reportDir,
                            title: "Error vs discarded probes (held-out identities)")
    }
}
