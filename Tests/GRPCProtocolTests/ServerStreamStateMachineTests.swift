import GRPCProtocol
import Testing

@Suite struct ServerStreamStateMachineTests {
    typealias Machine = ServerStreamStateMachine

    /// (request head) -> expected head action.
    @Test(arguments: [
        (RequestHead(path: "/a.B/C"), Machine.HeadAction.accept(path: "/a.B/C", timeout: nil, encoding: nil)),
        (RequestHead(path: "/a.B/C", contentType: "application/grpc+proto"), .accept(path: "/a.B/C", timeout: nil, encoding: nil)),
        (RequestHead(path: "/a.B/C", timeout: "5S"), .accept(path: "/a.B/C", timeout: .seconds(5), encoding: nil)),
        (RequestHead(path: "/a.B/C", encoding: "gzip"), .accept(path: "/a.B/C", timeout: nil, encoding: "gzip")),
        (RequestHead(path: "/a.B/C", encoding: "identity"), .accept(path: "/a.B/C", timeout: nil, encoding: nil)),
        (RequestHead(path: "/a.B/C", contentType: "text/plain"), .rejectHTTP(status: 415)),
        (RequestHead(path: "/a.B/C", contentType: nil), .rejectHTTP(status: 415)),
        (RequestHead(method: "GET", path: "/a.B/C"), .rejectHTTP(status: 405)),
        (RequestHead(path: "/a.B/C", encoding: "snappy"), .rejectGRPC(RPCError(.unimplemented, "unsupported grpc-encoding 'snappy'"))),
        (RequestHead(path: "/a.B/C", timeout: "soon"), .rejectGRPC(RPCError(.internal, "malformed grpc-timeout 'soon'"))),
        (RequestHead(path: "nopath"), .rejectGRPC(RPCError(.unimplemented, "malformed method path 'nopath'"))),
    ])
    func headDecisions(head: RequestHead, expected: Machine.HeadAction) {
        var machine = Machine()
        #expect(machine.receiveHeaders(head) == expected)
    }

    enum Event: Sendable {
        case headers, endStream, send, finish, reset
    }

    enum Outcome: Equatable, Sendable {
        case head(Machine.HeadAction), close(Machine.InboundCloseAction), send(Machine.SendAction),
             finish(Machine.FinishAction), reset
    }

    static func run(_ events: [Event]) -> [Outcome] {
        var machine = Machine()
        return events.map { event in
            switch event {
            case .headers: .head(machine.receiveHeaders(RequestHead(path: "/s.S/M")))
            case .endStream: .close(machine.receiveEndStream())
            case .send: .send(machine.sendMessage())
            case .finish: .finish(machine.finish())
            case .reset: { machine.reset(); return .reset }()
            }
        }
    }

    static let accepted = Outcome.head(.accept(path: "/s.S/M", timeout: nil, encoding: nil))

    /// Event sequences and the actions they produce.
    @Test(arguments: [
        // Unary: headers, half-close, one message, trailers.
        ([Event.headers, .endStream, .send, .finish],
         [accepted, .close(.finishRequests), .send(.sendHeadersThenMessage), .finish(.sendTrailers)]),
        // Error before any message: Trailers-Only.
        ([.headers, .finish], [accepted, .finish(.sendTrailersOnly)]),
        // Streaming: the second message needs no headers; duplicate half-close ignored.
        ([.headers, .send, .send, .endStream, .endStream, .finish],
         [accepted, .send(.sendHeadersThenMessage), .send(.sendMessage), .close(.finishRequests), .close(.none), .finish(.sendTrailers)]),
        // After finish, nothing more is sent.
        ([.headers, .finish, .send, .finish], [accepted, .finish(.sendTrailersOnly), .send(.fail), .finish(.none)]),
        // Reset: writes fail, finish sends nothing.
        ([.headers, .send, .reset, .send, .finish], [accepted, .send(.sendHeadersThenMessage), .reset, .send(.fail), .finish(.none)]),
        // A second HEADERS before anything else is a protocol error.
        ([.headers, .headers], [accepted, .head(.rejectGRPC(RPCError(.internal, "unexpected second HEADERS")))]),
    ])
    func transitions(events: [Event], expected: [Outcome]) {
        #expect(Self.run(events) == expected)
    }
}
