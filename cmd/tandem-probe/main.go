// Command tandem-probe is the HTTP health check tandem mounts read-only
// into dev containers, so that `health: {http: ...}` works in images that
// have no shell, curl or wget (FROM scratch included).
//
//	tandem-probe http://127.0.0.1:8080/healthz
//
// It exits 0 when the URL answers with a 2xx or 3xx status within the
// timeout, 1 otherwise, printing why. It speaks just enough HTTP/1.0 to do
// that, which keeps the static binary small: net/http would triple it.
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

const timeout = 4 * time.Second

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tandem-probe http://HOST:PORT/PATH")
		os.Exit(2)
	}
	if err := probe(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "tandem-probe:", err)
		os.Exit(1)
	}
}

func probe(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("%q is not an http:// URL", rawURL)
	}
	status, err := get(u)
	if err != nil {
		return err
	}
	if status < 200 || status >= 400 {
		return fmt.Errorf("GET %s: status %d", rawURL, status)
	}
	return nil
}

// get returns the status code of a GET of u.
func get(u *url.URL) (int, error) {
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	conn, err := net.DialTimeout("tcp", host, timeout)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return 0, err
	}
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: tandem-probe\r\n\r\n", u.RequestURI(), u.Host); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("GET %s: reading the status line: %w", u, err)
	}
	return statusCode(line)
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
