package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			w.Write([]byte("ok"))
		case "/moved":
			http.Redirect(w, r, "/healthz", http.StatusFound)
		default:
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	for path, wantErr := range map[string]string{
		"/healthz":  "",
		"/moved":    "",
		"/sick?x=1": "status 503",
	} {
		err := probe(srv.URL + path)
		if wantErr == "" && err != nil {
			t.Errorf("%s: %v", path, err)
		}
		if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("%s: error %v, want %q", path, err, wantErr)
		}
	}
}

func TestProbeRefusesWhatItCannotCheck(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close()
	for _, u := range []string{"https://example.com/", "healthz", "http://" + addr + "/healthz"} {
		if err := probe(u); err == nil {
			t.Errorf("probe(%q) succeeded", u)
		}
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
