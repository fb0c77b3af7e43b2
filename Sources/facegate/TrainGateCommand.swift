import ArgumentParser
import Embedding
import Foundation
import Logging
import OODGate

/// Options shared by `train-gate` and `eval gate`: where the data is and how it is split, so
/// both commands see the same held-out identities.
struct GateDataOptions: ParsableArguments {
    @Option(help: "Labelled folder DIR/identity/*.jpg (face crops): embedded here with --model.")
    var data: String?

    @Option(help: "Or a feature file (FGFS) of such a folder, e.g. from --save-features or scripts/reference-gate-features.py.")
    var features: String?

    @Option(help: "Model name (dlib) or path to a .dat or .onnx file, for --data.")
    var model: String = ModelRegistry.defaultModel

    @Option(help: "Model cache folder (default: $FACEGATE_CACHE or ~/.cache/facegate).")
    var cache: String?

    @Option(help: "Degraded copies per image made from --data.")
    var variants: Int = 2

    @Option(help: "Only the first N identities of --data (smoke runs).")
    var limit: Int?

    @Option(help: "Save the features computed from --data to this file (FGFS).")
    var saveFeatures: String?

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

    /// Reads (or computes) the features and labels them.
    func load(_ config: GateTrainingConfig) throws -> LabelledFeatures {
        let set: FeatureSet
        if let features {
            set = try FeatureSet.read(from: features)
        } else if let data {
            var logger = Logger(label: "facegate.gate")
            logger.logLevel = .warning
            var cacheConfig = ModelCache.Config(directory: cache.map { URL(fileURLWithPath: $0, isDirectory: true) })
            cacheConfig.allowDownload = true
            let registry = ModelRegistry(cache: ModelCache(config: cacheConfig, logger: logger))
            let extractor = GateFolderFeatures(model: try registry.load(model), variants: variants, seed: seed)
            let clock = ContinuousClock()
            let start = clock.now
            set = try extractor.extract(directory: data, limit: limit)
            print("embedded \(set.records.count) faces in \(clock.now - start)")
            if let saveFeatures {
                try set.write(to: saveFeatures)
                print("wrote \(saveFeatures)")
            }
        } else {
            throw ValidationError("give --data DIR or --features FILE")
        }
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

    @Option(help: "Fraction of the training identities used for early stopping and the threshold.")
    var validation: Double = 0.2

    @Option(help: "Hard cue limits stored with the gate: auto (dlib chip for the dlib model, else 112x112 ArcFace), dlib or arcface112.")
    var limits: String = "auto"

    @Option(help: "Maximum training epochs (early stopping on the validation loss).")
    var epochs: Int = 60

    @Option(help: "Networks in the scorer's ensemble (different seeds; the score is their mean probability).")
    var ensemble: Int = 5

    @Flag(help: "Leave out the typicality features (Mahalanobis distance and cosine to the in-distribution mean); writes a version-1 gate file when --ensemble 1.")
    var noTypicality = false

    func run() throws {
        var config = data.config()
        config.thresholdRule = balanced ? .balanced : .targetTNR(targetTNR)
        config.mlp.hidden = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        config.mlp.maxEpochs = epochs
        config.misclassifiedShare = misclassifiedShare
        config.validationFraction = validation
        config.ensembleSize = ensemble
        config.typicality = !noTypicality
        let labelled = try data.load(config)
        print("misclassified vs in-distribution, training part: AUC of each scalar feature (0.5 = no signal)")
        for (name, auc) in try GateTraining.misclassificationAUCs(labelled, config: config) {
            print("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(format: "%.3f", auc))")
        }
        switch limits {
        case "dlib": config.limits = .dlibChip
        case "arcface112": config.limits = .arcFace112
        case "auto": config.limits = labelled.set.modelID == PinnedModelFile.dlibResNet.sha256 ? .dlibChip : .arcFace112
        default: throw ValidationError("--limits must be auto, dlib or arcface112")
        }
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
