// Package service is what every service of the example shop shares: its
// settings come from the environment variables tandem injects, it serves
// /healthz (the check the catalogue declares) answering 503 while a
// backing service it needs is unreachable, and it stops cleanly on SIGTERM
// so `tandem down` does not wait for a kill. Each service is a static
// binary in a FROM scratch image.
package service

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Server is one service's HTTP server.
type Server struct {
	Name   string
	Mux    *http.ServeMux
	checks map[string]func(context.Context) error
}

// New returns the server of the named service.
func New(name string) *Server {
	return &Server{Name: name, Mux: http.NewServeMux(), checks: map[string]func(context.Context) error{}}
}

// Check adds a dependency /healthz checks, e.g. a database ping.
func (s *Server) Check(name string, check func(context.Context) error) { s.checks[name] = check }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	for name, check := range s.checks {
		if err := check(ctx); err != nil {
			http.Error(w, name+": "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	w.Write([]byte("ok\n"))
}

// Run serves on $PORT (default 8080) until SIGTERM or SIGINT.
func (s *Server) Run() {
	s.Mux.HandleFunc("GET /healthz", s.healthz)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	srv := &http.Server{Addr: ":" + port, Handler: s.Mux, ReadHeaderTimeout: 5 * time.Second}
	stoppedServing := make(chan struct{})
	go func() {
		defer close(stoppedServing)
		<-Context().Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Printf("%s: stopping: %v", s.Name, err)
		}
	}()
	log.Printf("%s listening on :%s", s.Name, port)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	// ListenAndServe returns when shutdown starts; requests in flight
	// finish before Run returns.
	<-stoppedServing
}

// ID parses a numeric path value, answering 404 for anything else.
func ID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return 0, false
	}
	return id, true
}

var stopped, _ = signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)

// Context is done when the service is asked to stop.
func Context() context.Context { return stopped }

// Env returns a setting the service cannot run without.
func Env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("%s is not set; tandem injects it from the catalogue", name)
	}
	return v
}

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Retry calls fn until it succeeds or the service stops: backing services
// may still be starting.
func Retry(what string, fn func() error) {
	for {
		err := fn()
		if err == nil {
			return
		}
		log.Printf("%s: %v (retrying)", what, err)
		select {
		case <-stopped.Done():
			log.Fatalf("%s: stopped", what)
		case <-time.After(time.Second):
		}
	}
}
