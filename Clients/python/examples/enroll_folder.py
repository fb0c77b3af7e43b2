#!/usr/bin/env python3
"""Enroll a folder of face photos: DIR/<person>/*.jpg|png, one Enroll stream per person.

Each image gets its verdict as soon as the server decides it (accepted after it is committed,
or rejected with reasons a capture app can show); each stream ends with a summary.

    python enroll_folder.py 127.0.0.1:50051 photos/
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import grpc  # noqa: E402

import facegate_client  # noqa: E402
from facegate.v1 import facegate_pb2 as pb  # noqa: E402

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def requests(name: str, files: list[str]):
    """The stream's messages: who, then one face per file (read lazily, as they are sent)."""
    yield pb.EnrollRequest(start=pb.EnrollStart(display_name=name))
    for path in files:
        with open(path, "rb") as f:
            yield pb.EnrollRequest(face=pb.EnrollFace(request_id=os.path.basename(path),
                                                      face=pb.Face(encoded=f.read())))


def reasons(ood: "pb.OodVerdict") -> str:
    return ", ".join(pb.RejectReason.Name(r).removeprefix("REJECT_REASON_") for r in ood.reasons) or "-"


def enroll_person(stub, name: str, files: list[str], timeout_s: float) -> tuple[int, int]:
    accepted = rejected = 0
    for reply in stub.Enroll(requests(name, files), timeout=timeout_s):
        kind = reply.WhichOneof("kind")
        if kind == "started":
            who = reply.started.identity
            print(f"{name}: identity {who.identity_id} ({'created' if reply.started.created else 'existing'})")
        elif kind == "verdict":
            v = reply.verdict
            if v.error.message:
                rejected += 1
                print(f"  {v.request_id}: error {v.error.code}: {v.error.message}")
            elif v.accepted:
                accepted += 1
                extra = f", duplicate of {v.duplicate_of_face_id}" if v.duplicate_of_face_id else ""
                print(f"  {v.request_id}: accepted as {v.face_id} (quality {v.quality:.2f}{extra})")
            else:
                rejected += 1
                print(f"  {v.request_id}: rejected ({reasons(v.ood)})")
        elif kind == "summary":
            s = reply.summary
            print(f"  summary: {s.faces_accepted} of {s.faces_received} accepted"
                  + (f"; {s.advice}" if s.advice else ""))
    return accepted, rejected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="server address, host:port")
    parser.add_argument("folder", help="DIR/<person>/*.jpg|png")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per person's stream")
    args = parser.parse_args()

    people = []
    for name in sorted(os.listdir(args.folder)):
        folder = os.path.join(args.folder, name)
        if os.path.isdir(folder):
            files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.lower().endswith(IMAGE_SUFFIXES))
            if files:
                people.append((name, files))
    if not people:
        print(f"no DIR/<person>/*.jpg|png under {args.folder}", file=sys.stderr)
        return 2

    with facegate_client.connect(args.target) as client:
        client.wait_until_serving(timeout_s=60)
        total_accepted = total_rejected = 0
        for name, files in people:
            try:
                accepted, rejected = enroll_person(client.facegate, name, files, args.timeout)
            except grpc.RpcError as e:
                print(f"{name}: {e.code().name}: {e.details()}", file=sys.stderr)
                return 1
            total_accepted += accepted
            total_rejected += rejected
    print(f"enrolled {len(people)} people: {total_accepted} faces accepted, {total_rejected} rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
