// Package service is what every service of the example shop shares: it
// serves /healthz on $PORT (default 8080), the check the catalogue
// declares, from a static binary that runs in a FROM scratch image.
package service

import (
	"log"
	"net/http"
	"os"
)

// Run serves the named service until the process is stopped.
func Run(name string, mux *http.ServeMux) {
	if mux == nil {
		mux = http.NewServeMux()
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("%s listening on :%s", name, port)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
