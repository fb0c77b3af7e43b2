#!/usr/bin/env python3
"""One short call of every FaceGate RPC (the README's API tour): python every_rpc.py HOST:PORT A.jpg B.jpg C.jpg

A.jpg and B.jpg show the same person (enrolled), C.jpg someone else (classified as UNKNOWN).
"""

import os
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Clients/python
from facegate.v1 import facegate_pb2 as pb, facegate_pb2_grpc as rpc  # noqa: E402

target, a, b, c = sys.argv[1:5]
channel = grpc.insecure_channel(target)
gate = rpc.FaceGateStub(channel)
face = lambda path: pb.Face(encoded=open(path, "rb").read())  # noqa: E731

# Health (grpc.health.v1): SERVING once the model and the gallery are loaded.
health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
print("health:", health_pb2.HealthCheckResponse.ServingStatus.Name(health.status))

# EmbedOne (unary) and Embed (bidi stream): L2-normalised embeddings and the OOD verdict.
one = gate.EmbedOne(pb.EmbedRequest(request_id="e1", face=face(a)), timeout=30)
print("EmbedOne:", one.request_id, one.model_id, len(one.embedding), "floats, accepted:", one.ood.accepted)
for reply in gate.Embed(iter([pb.EmbedRequest(request_id=os.path.basename(p), face=face(p)) for p in (a, c)]), timeout=30):
    print("Embed:", reply.request_id, "OOD score %.2f" % reply.ood.ood_score)

# Enroll (bidi stream): start names (or picks) the identity, then faces; verdicts, then a summary.
start = pb.EnrollRequest(start=pb.EnrollStart(display_name="Person A"))
faces = [pb.EnrollRequest(face=pb.EnrollFace(request_id="a1", face=face(a)))]
identity_id = face_id = ""
for reply in gate.Enroll(iter([start] + faces), timeout=60):
    kind = reply.WhichOneof("kind")
    if kind == "started":
        identity_id = reply.started.identity.identity_id
    elif kind == "verdict":
        face_id = reply.verdict.face_id
        print("Enroll verdict:", reply.verdict.request_id, "accepted" if reply.verdict.accepted else "rejected")
    else:
        print("Enroll summary:", reply.summary.faces_accepted, "of", reply.summary.faces_received, "accepted")

# ClassifyOne (unary) and Classify (bidi stream; answers in request order).
answer = gate.ClassifyOne(pb.ClassifyRequest(request_id="q1", face=face(b), top_k=3), timeout=30)
print("ClassifyOne:", pb.Decision.Name(answer.decision), answer.candidates[0].display_name,
      "distance %.3f (threshold %.3f)" % (answer.candidates[0].distance, answer.threshold))
for reply in gate.Classify(iter([pb.ClassifyRequest(request_id=os.path.basename(p), face=face(p)) for p in (b, c)]), timeout=30):
    print("Classify:", reply.request_id, pb.Decision.Name(reply.decision))

# Gallery management: list (paged), get, stats, delete one face, delete an identity.
page = gate.ListIdentities(pb.ListIdentitiesRequest(page_size=10), timeout=10)
print("ListIdentities:", [(i.identity_id, i.display_name, i.face_count) for i in page.identities], "of", page.total_count)
got = gate.GetIdentity(pb.GetIdentityRequest(identity_id=identity_id), timeout=10)
print("GetIdentity:", got.identity.display_name, [f.face_id for f in got.faces])
stats = gate.GetGalleryStats(pb.GetGalleryStatsRequest(), timeout=10)
print("GetGalleryStats:", stats.identity_count, "identities,", stats.face_count, "faces")
print("DeleteFace: face of identity", gate.DeleteFace(pb.DeleteFaceRequest(face_id=face_id), timeout=10).identity_id)
deleted = gate.DeleteIdentity(pb.DeleteIdentityRequest(identity_id=identity_id), timeout=10)
print("DeleteIdentity:", deleted.faces_deleted, "faces deleted")
try:
    gate.GetIdentity(pb.GetIdentityRequest(identity_id=identity_id), timeout=10)
except grpc.RpcError as error:
    print("GetIdentity after delete:", error.code().name)
