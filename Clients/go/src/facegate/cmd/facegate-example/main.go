// Command facegate-example calls a FaceGate server with the generated Go stubs.
//
//	facegate-example -addr 127.0.0.1:50051 health
//	facegate-example -addr 127.0.0.1:50051 enroll "Ada Lovelace" ada1.jpg ada2.jpg ada3.jpg
//	facegate-example -addr 127.0.0.1:50051 classify frame1.jpg frame2.jpg
//	facegate-example -addr 127.0.0.1:50051 stats
//
// Built offline from Debian's golang packages: see Clients/go/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"os"
	"time"

	facegatev1 "facegate/v1"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "server address host:port")
	timeout := flag.Duration("timeout", 30*time.Second, "deadline for the whole command")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: facegate-example [-addr host:port] health|stats|enroll NAME IMAGE...|classify IMAGE...")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	conn, err := grpc.DialContext(ctx, *addr, grpc.WithInsecure(), grpc.WithBlock())
	if err != nil {
		fail("connect", err)
	}
	defer conn.Close()
	client := facegatev1.NewFaceGateClient(conn)

	args := flag.Args()
	switch args[0] {
	case "health":
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			fail("health", err)
		}
		fmt.Println(resp.Status)
	case "stats":
		stats, err := client.GetGalleryStats(ctx, &facegatev1.GetGalleryStatsRequest{})
		if err != nil {
			fail("stats", err)
		}
		fmt.Printf("identities=%d faces=%d model=%s index=%s threshold=%.3f\n",
			stats.IdentityCount, stats.FaceCount, stats.ModelId, stats.IndexKind, stats.Threshold)
	case "enroll":
		if len(args) < 3 {
			fail("enroll", fmt.Errorf("need a display name and at least one image"))
		}
		enroll(ctx, client, args[1], args[2:])
	case "classify":
		classify(ctx, client, args[1:])
	default:
		fail("usage", fmt.Errorf("unknown command %q", args[0]))
	}
}

func enroll(ctx context.Context, client facegatev1.FaceGateClient, name string, images []string) {
	stream, err := client.Enroll(ctx)
	if err != nil {
		fail("enroll", err)
	}
	start := &facegatev1.EnrollRequest{Kind: &facegatev1.EnrollRequest_Start{
		Start: &facegatev1.EnrollStart{DisplayName: name}}}
	if err := stream.Send(start); err != nil {
		fail("enroll", err)
	}
	for _, path := range images {
		face := &facegatev1.EnrollRequest{Kind: &facegatev1.EnrollRequest_Face{
			Face: &facegatev1.EnrollFace{RequestId: path, Face: readFace(path)}}}
		if err := stream.Send(face); err != nil {
			fail("enroll", err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		fail("enroll", err)
	}
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return
		}
		if err != nil {
			fail("enroll", err)
		}
		switch kind := resp.Kind.(type) {
		case *facegatev1.EnrollResponse_Started:
			fmt.Printf("identity %s (%s) created=%v\n", kind.Started.Identity.IdentityId,
				kind.Started.Identity.DisplayName, kind.Started.Created)
		case *facegatev1.EnrollResponse_Verdict:
			v := kind.Verdict
			if v.Accepted {
				fmt.Printf("%s: accepted face %s quality=%.2f\n", v.RequestId, v.FaceId, v.Quality)
			} else if v.Error != nil {
				fmt.Printf("%s: error %d %s\n", v.RequestId, v.Error.Code, v.Error.Message)
			} else {
				fmt.Printf("%s: rejected %v\n", v.RequestId, v.Ood.GetReasons())
			}
		case *facegatev1.EnrollResponse_Summary:
			s := kind.Summary
			fmt.Printf("summary: received=%d accepted=%d rejected=%d faces=%d %s\n", s.FacesReceived,
				s.FacesAccepted, s.FacesRejected, s.Identity.GetFaceCount(), s.Advice)
		}
	}
}

func classify(ctx context.Context, client facegatev1.FaceGateClient, images []string) {
	stream, err := client.Classify(ctx)
	if err != nil {
		fail("classify", err)
	}
	go func() {
		for _, path := range images {
			req := &facegatev1.ClassifyRequest{RequestId: path, Face: readFace(path), TopK: 3}
			if err := stream.Send(req); err != nil {
				return
			}
		}
		stream.CloseSend()
	}()
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return
		}
		if err != nil {
			fail("classify", err)
		}
		line := fmt.Sprintf("%s: %s", resp.RequestId, resp.Decision)
		if len(resp.Candidates) > 0 {
			best := resp.Candidates[0]
			line += fmt.Sprintf(" %s (%s) distance=%.3f", best.DisplayName, best.IdentityId, best.Distance)
		}
		if resp.Decision == facegatev1.Decision_DECISION_REJECTED {
			line += fmt.Sprintf(" reasons=%v", resp.Ood.GetReasons())
		}
		if resp.Error != nil {
			line += fmt.Sprintf(" error=%d %s", resp.Error.Code, resp.Error.Message)
		}
		fmt.Println(line)
	}
}

func readFace(path string) *facegatev1.Face {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		fail("read image", err)
	}
	return &facegatev1.Face{Image: &facegatev1.Face_Encoded{Encoded: data}}
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "facegate-example: %s: %v\n", what, err)
	os.Exit(1)
}
