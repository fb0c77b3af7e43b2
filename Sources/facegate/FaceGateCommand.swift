import ArgumentParser

/// The `facegate` command: the server and its tools, one subcommand each.
@main
struct FaceGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facegate",
        abstract: "Open-set face recognition server and tools.",
        subcommands: [
            ServeCommand.self, EnrollCommand.self, ClassifyCommand.self, GalleryCommand.self, EmbedCommand.self,
            ModelCommand.self, BenchCommand.self, TrainGateCommand.self, EvalCommand.self, StoreStressCommand.self,
        ]
    )
}

/// `facegate bench ...`: benchmarks that print figures (and one JSON object with `--json`).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: each prints medians, and one JSON object on the last line with --json.",
        subcommands: [
            BenchEngineCommand.self, BenchDlibCommand.self, BenchPreprocessCommand.self, BenchIndexCommand.self,
            BenchIndexEmbedCommand.self,
            BenchGateCommand.self, BenchServeCommand.self,
        ]
    )
}
