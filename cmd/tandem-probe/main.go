// Command tandem-probe is the health check tandem mounts read-only into
// dev containers, so that http, tcp and grpc health checks work in images
// that have no shell, curl, wget or grpc_health_probe (FROM scratch and
// distroless included).
//
//	tandem-probe [-timeout 4s] [-header 'Name: value']... http://127.0.0.1:8080/healthz
//	tandem-probe [-timeout 4s] tcp 127.0.0.1:5432
//	tandem-probe [-timeout 4s] grpc 127.0.0.1:9090 [SERVICE]
//
// It exits 0 when the check passes within the timeout, 1 otherwise,
// printing why, and 2 when called wrongly. An http check passes on a 2xx
// or 3xx status, a tcp check when the port accepts a connection, a grpc
// check when the standard grpc.health.v1 Check answers SERVING. It speaks
// just enough HTTP/1.0 and HTTP/2 to do that, which keeps the static
// binary small: net/http or google.golang.org/grpc would multiply it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// defaultTimeout stays under Compose's default health check timeout
// (tandem renders 5s), so the probe, not Docker, says why it failed.
const defaultTimeout = 4 * time.Second

const usage = `usage:
  tandem-probe [-timeout 4s] [-header 'Name: value']... http://HOST:PORT/PATH
  tandem-probe [-timeout 4s] tcp HOST:PORT
  tandem-probe [-timeout 4s] grpc HOST:PORT [SERVICE]
`

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is the program: the exit code for args, with what went wrong
// written to stderr.
func run(args []string, stderr io.Writer) int {
	flags := flag.NewFlagSet("tandem-probe", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, usage) }
	c := check{}
	flags.DurationVar(&c.timeout, "timeout", defaultTimeout, "how long the check may take")
	flags.Func("header", "a request header of the http check, 'Name: value' (repeatable)", func(h string) error {
		name, value, ok := strings.Cut(h, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || strings.ContainsAny(h, "\r\n") {
			return fmt.Errorf("%q is not a header: write 'Name: value' on one line", h)
		}
		c.headers = append(c.headers, [2]string{name, value})
		return nil
	})
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if c.timeout <= 0 {
		fmt.Fprintf(stderr, "tandem-probe: -timeout must be positive, got %s\n", c.timeout)
		return 2
	}
	rest := flags.Args()
	isHTTP := len(rest) == 1 && strings.Contains(rest[0], "://")
	if len(c.headers) > 0 && !isHTTP {
		fmt.Fprintln(stderr, "tandem-probe: -header is only for http checks")
		return 2
	}
	var err error
	switch {
	case isHTTP:
		err = c.http(rest[0])
	case len(rest) == 2 && rest[0] == "tcp":
		err = c.tcp(rest[1])
	case len(rest) == 2 && rest[0] == "grpc":
		err = c.grpc(rest[1], "")
	case len(rest) == 3 && rest[0] == "grpc":
		err = c.grpc(rest[1], rest[2])
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "tandem-probe:", err)
		return 1
	}
	return 0
}

// check holds what every kind of check shares.
type check struct {
	timeout time.Duration
	headers [][2]string
}

// dial connects to addr, HOST:PORT, with the check's deadline on the
// whole exchange.
func (c check) dial(addr string) (net.Conn, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("%q is not HOST:PORT", addr)
	}
	conn, err := net.DialTimeout("tcp", addr, c.timeout)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// tcp passes when addr accepts a connection.
func (c check) tcp(addr string) error {
	conn, err := c.dial(addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

// http passes when a GET of rawURL answers 2xx or 3xx, as a Kubernetes
// HTTP probe does.
func (c check) http(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("%q is not an http:// URL", rawURL)
	}
	status, err := c.get(u)
	if err != nil {
		return err
	}
	if status < 200 || status >= 400 {
		return fmt.Errorf("GET %s: status %d", rawURL, status)
	}
	return nil
}

// get returns the status code of a GET of u.
func (c check) get(u *url.URL) (int, error) {
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	conn, err := c.dial(host)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	// The check's own headers replace the defaults of the same name, as
	// Kubernetes lets httpHeaders replace Host and User-Agent.
	headers := append([][2]string{{"Host", u.Host}, {"User-Agent", "tandem-probe"}}, c.headers...)
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.0\r\n", u.RequestURI())
	for i, h := range headers {
		if i < 2 && replaced(h[0], c.headers) {
			continue
		}
		fmt.Fprintf(&req, "%s: %s\r\n", h[0], h[1])
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("GET %s: reading the status line: %w", u, err)
	}
	return statusCode(line)
}

func replaced(name string, headers [][2]string) bool {
	for _, h := range headers {
		if strings.EqualFold(h[0], name) {
			return true
		}
	}
	return false
}

// statusCode parses an HTTP status line such as "HTTP/1.1 200 OK".
func statusCode(line string) (int, error) {
	fields := strings.Fields(line)
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "HTTP/") {
		return 0, fmt.Errorf("not an HTTP response: %q", strings.TrimSpace(line))
	}
	code, err := strconv.Atoi(fields[1])
	if err != nil || code < 100 || code > 999 {
		return 0, fmt.Errorf("not an HTTP status: %q", strings.TrimSpace(line))
	}
	return code, nil
}
