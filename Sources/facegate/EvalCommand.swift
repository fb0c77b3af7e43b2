import ArgumentParser
import OODGate

/// `facegate eval ...`: accuracy reports on labelled data.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluations on labelled data (reports, CSV and plots).",
        subcommands: [EvalGateCommand.self]
    )
}

/// `facegate eval gate`: the gate's report on the held-out identities of a labelled folder.
struct EvalGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "OOD gate report on held-out identities: confusion tables, k-NN accuracy with and without rejected faces, error-vs-discard curve."
    )

    @OptionGroup var data: GateDataOptions

    @Option(help: "Gate file to evaluate, or `default` (fresh-install cue-only gate for the dlib chip) or `default-112` (for 112x112 ArcFace crops).")
    var gate: String = "default"

    @Option(help: "Directory for gate-report.txt, error-vs-discard.csv and .svg.")
    var outDir: String?

    func run() throws {
        let labelled = try data.load(data.config())
        let g: Gate
        switch gate {
        case "default": g = .default
        case "default-112": g = .defaultArcFace112
        default: g = try GateFile.read(from: gate, expectedModelID: labelled.set.modelID)
        }
        try writeGateReport(try GateReport(gate: g, data: labelled), to: outDir,
                            title: gate.hasPrefix("default") ? "Default gate: error vs discarded probes" : "Error vs discarded probes (held-out identities)")
    }
}
