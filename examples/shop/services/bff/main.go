// Command bff is the shop's bff service. For now it only answers its health
// check; it is built into a FROM scratch image, so it needs no shell.
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	addr := ":" + envOr("PORT", "8080")
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	log.Printf("bff listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
