package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// probe runs the program as Compose does and returns its exit code and
// what it printed.
func probe(args ...string) (int, string) {
	var stderr bytes.Buffer
	code := run(args, &stderr)
	return code, stderr.String()
}

func TestHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			w.Write([]byte("ok"))
		case "/moved":
			http.Redirect(w, r, "/healthz", http.StatusFound)
		case "/guarded":
			if r.Header.Get("X-Probe") != "tandem: yes" || r.Host != "internal.example" || r.UserAgent() != "tandem-probe" {
				http.Error(w, "who are you", http.StatusForbidden)
			}
		default:
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	tests := []struct {
		args    []string
		code    int
		message string
	}{
		{[]string{srv.URL + "/healthz"}, 0, ""},
		{[]string{srv.URL + "/moved"}, 0, ""},
		{[]string{srv.URL + "/sick?x=1"}, 1, "status 503"},
		{[]string{"-header", "X-Probe: tandem: yes", "-header", "host:internal.example", srv.URL + "/guarded"}, 0, ""},
		{[]string{"-header", "X-Probe: no", srv.URL + "/guarded"}, 1, "status 403"},
		{[]string{srv.URL + "/guarded"}, 1, "status 403"},
	}
	for _, tt := range tests {
		code, stderr := probe(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.message) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tt.args, code, stderr, tt.code, tt.message)
		}
	}
}

func TestHTTPRefusesWhatItCannotCheck(t *testing.T) {
	addr := closedPort(t)
	for _, u := range []string{"https://example.com/", "ftp://x/", "http://" + addr + "/healthz"} {
		if code, _ := probe(u); code != 1 {
			t.Errorf("probe(%q) exited %d, want 1", u, code)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"healthz"},
		{"tcp"},
		{"grpc", "127.0.0.1:1", "svc", "extra"},
		{"-header", "no colon", "http://127.0.0.1/"},
		{"-header", "X-A: b", "tcp", "127.0.0.1:1"},
		{"-timeout", "0s", "tcp", "127.0.0.1:1"},
		{"-bogus", "tcp", "127.0.0.1:1"},
	} {
		if code, _ := probe(args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

func TestTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if code, stderr := probe("tcp", l.Addr().String()); code != 0 {
		t.Errorf("listening: exit %d, %s", code, stderr)
	}
	if code, stderr := probe("tcp", closedPort(t)); code != 1 || !strings.Contains(stderr, "connection refused") {
		t.Errorf("nothing listening: exit %d, %s", code, stderr)
	}
	if code, stderr := probe("tcp", "localhost"); code != 1 || !strings.Contains(stderr, `"localhost" is not HOST:PORT`) {
		t.Errorf("no port: exit %d, %s", code, stderr)
	}
}

// TestGRPC asks a real grpc-go health server, the one most gRPC services
// register.
func TestGRPC(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	h := health.NewServer()
	h.SetServingStatus("shop.Cart", healthpb.HealthCheckResponse_SERVING)
	h.SetServingStatus("shop.Orders", healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(srv, h)
	go srv.Serve(l)
	defer srv.Stop()
	addr := l.Addr().String()

	tests := []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"server serving", []string{"grpc", addr}, 0, ""},
		{"service serving", []string{"grpc", addr, "shop.Cart"}, 0, ""},
		{"service not serving", []string{"grpc", addr, "shop.Orders"}, 1,
			`tandem-probe: grpc.health.v1.Health/Check of "shop.Orders": NOT_SERVING`},
		{"unknown service", []string{"grpc", addr, "shop.Nope"}, 1,
			`tandem-probe: grpc.health.v1.Health/Check of "shop.Nope": grpc-status 5 NOT_FOUND: unknown service`},
		{"nothing listening", []string{"grpc", closedPort(t)}, 1, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := probe(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.message) {
				t.Errorf("exit %d, %q; want %d and %q", code, stderr, tt.code, tt.message)
			}
		})
	}

	// A server going down is seen at the next check.
	h.Shutdown()
	if code, stderr := probe("grpc", addr); code != 1 || !strings.Contains(stderr, "NOT_SERVING") {
		t.Errorf("after shutdown: exit %d, %s", code, stderr)
	}
}

// TestGRPCAgainstWhatIsNotGRPC covers ports that answer something else:
// HTTP/1, a server without the health service, and silence.
func TestGRPCAgainstWhatIsNotGRPC(t *testing.T) {
	web := httptest.NewServer(http.NotFoundHandler())
	defer web.Close()
	if code, stderr := probe("-timeout", "2s", "grpc", strings.TrimPrefix(web.URL, "http://")); code != 1 || !strings.Contains(stderr, "grpc.health.v1.Health/Check:") {
		t.Errorf("HTTP/1 server: exit %d, %s", code, stderr)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bare := grpc.NewServer()
	go bare.Serve(l)
	defer bare.Stop()
	if code, stderr := probe("grpc", l.Addr().String()); code != 1 || !strings.Contains(stderr, "grpc-status 12 UNIMPLEMENTED") {
		t.Errorf("no health service: exit %d, %s", code, stderr)
	}

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	start := time.Now()
	if code, stderr := probe("-timeout", "300ms", "grpc", silent.Addr().String()); code != 1 || !strings.Contains(stderr, "timeout") {
		t.Errorf("silent server: exit %d, %s", code, stderr)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the 300ms timeout took %s", d)
	}
}

func TestStatusCode(t *testing.T) {
	if code, err := statusCode("HTTP/1.1 204 No Content\r\n"); err != nil || code != 204 {
		t.Errorf("got %d, %v", code, err)
	}
	for _, line := range []string{"", "SSH-2.0-OpenSSH\r\n", "HTTP/1.1 abc\r\n"} {
		if _, err := statusCode(line); err == nil {
			t.Errorf("statusCode(%q) succeeded", line)
		}
	}
}

func TestHealthCheckStatus(t *testing.T) {
	for _, tt := range []struct {
		body   []byte
		status uint64
		err    string
	}{
		{grpcMessage([]byte{0x08, 0x01}), 1, ""},
		{grpcMessage(nil), 0, ""},
		// An unknown field before the status is skipped.
		{grpcMessage([]byte{0x12, 0x02, 'h', 'i', 0x08, 0x02}), 2, ""},
		{[]byte{1, 0, 0, 0, 2, 0x08, 0x01}, 0, "compressed"},
		{[]byte{0, 0, 0, 0, 9, 0x08, 0x01}, 0, "announced as 9"},
		{grpcMessage([]byte{0x08}), 0, "malformed"},
		{nil, 0, "no response message"},
	} {
		status, err := healthCheckStatus(tt.body)
		if status != tt.status || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%x: %d, %v; want %d, %q", tt.body, status, err, tt.status, tt.err)
		}
	}
}

// closedPort is an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
