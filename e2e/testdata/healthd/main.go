// Command healthd is what the health e2e test runs FROM scratch: a gRPC
// server whose only service is the standard health service (-grpc), or a
// bare TCP listener (-tcp). It is a test fixture, built by the test.
package main

import (
	"flag"
	"log"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	grpcAddr := flag.String("grpc", "", "serve grpc.health.v1 here")
	tcpAddr := flag.String("tcp", "", "accept TCP connections here")
	serving := flag.String("serving", "", "a service name reported SERVING, beside the server as a whole")
	flag.Parse()
	switch {
	case *grpcAddr != "":
		l, err := net.Listen("tcp", *grpcAddr)
		if err != nil {
			log.Fatal(err)
		}
		srv := grpc.NewServer()
		h := health.NewServer()
		if *serving != "" {
			h.SetServingStatus(*serving, healthpb.HealthCheckResponse_SERVING)
		}
		healthpb.RegisterHealthServer(srv, h)
		log.Printf("gRPC health on %s", *grpcAddr)
		log.Fatal(srv.Serve(l))
	case *tcpAddr != "":
		l, err := net.Listen("tcp", *tcpAddr)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("TCP on %s", *tcpAddr)
		for {
			conn, err := l.Accept()
			if err != nil {
				log.Fatal(err)
			}
			conn.Close()
		}
	default:
		log.Fatal("usage: healthd -grpc ADDR [-serving NAME] | -tcp ADDR")
	}
}
