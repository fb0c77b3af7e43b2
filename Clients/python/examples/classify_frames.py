#!/usr/bin/env python3
"""Classify a stream of frames over one bidirectional Classify call.

Frames (JPEG/PNG files, e.g. a camera's snapshots) are sent as they come, optionally paced to a
frame rate; answers stream back in order, each tagged with its frame's request_id.

    python classify_frames.py 127.0.0.1:50051 frame-0001.jpg frame-0002.jpg ... [--fps 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import grpc  # noqa: E402

import facegate_client  # noqa: E402
from facegate.v1 import facegate_pb2 as pb  # noqa: E402


def frames(paths: list[str], fps: float, loops: int):
    """One ClassifyRequest per frame; request_id says which frame it was."""
    interval = 1.0 / fps if fps > 0 else 0.0
    next_at = time.monotonic()
    for loop in range(loops):
        for index, path in enumerate(paths):
            if interval:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
            with open(path, "rb") as f:
                yield pb.ClassifyRequest(request_id=f"{loop}:{index}:{os.path.basename(path)}",
                                         face=pb.Face(encoded=f.read()), top_k=3)


def describe(answer: "pb.ClassifyResponse") -> str:
    if answer.error.message:
        return f"error {answer.error.code}: {answer.error.message}"
    decision = pb.Decision.Name(answer.decision).removeprefix("DECISION_")
    if answer.decision == pb.DECISION_REJECTED:
        why = ", ".join(pb.RejectReason.Name(r).removeprefix("REJECT_REASON_") for r in answer.ood.reasons)
        return f"{decision} ({why})"
    best = answer.candidates[0] if answer.candidates else None
    who = f" {best.display_name} (distance {best.distance:.3f}, threshold {answer.threshold:.3f})" if best else ""
    return f"{decision}{who}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="server address, host:port")
    parser.add_argument("frames", nargs="+", help="JPEG/PNG files, in order")
    parser.add_argument("--fps", type=float, default=0.0, help="send at this rate (0: as fast as answered)")
    parser.add_argument("--loops", type=int, default=1, help="send the frames this many times")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole stream")
    args = parser.parse_args()

    counts: dict[str, int] = {}
    with facegate_client.connect(args.target) as client:
        client.wait_until_serving(timeout_s=60)
        try:
            for answer in client.facegate.Classify(frames(args.frames, args.fps, args.loops), timeout=args.timeout):
                line = describe(answer)
                counts[line.split(" ")[0]] = counts.get(line.split(" ")[0], 0) + 1
                print(f"{answer.request_id}: {line}  [{answer.timing.total_us / 1000:.1f} ms]")
        except grpc.RpcError as e:
            print(f"stream failed: {e.code().name}: {e.details()}", file=sys.stderr)
            return 1
    print("answers: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
