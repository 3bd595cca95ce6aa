// Command filesd is the e2e tests' stand-in for a service with files: it
// counts its starts in a file under -data, keeps a file under -scratch,
// and answers GET /state with what it found, including the text of the
// -config and -secret files, so that a test can tell which mounts held.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	listen := flag.String("listen", ":8080", "address to serve on")
	data := flag.String("data", "/data", "folder that outlives the container")
	config := flag.String("config", "/etc/filesd/greeting.txt", "read-only file to show")
	scratch := flag.String("scratch", "/scratch", "folder for scratch files")
	secret := flag.String("secret", "/run/secrets/token", "read-only file holding a secret")
	flag.Parse()

	counter := filepath.Join(*data, "starts")
	old, _ := os.ReadFile(counter)
	starts, _ := strconv.Atoi(strings.TrimSpace(string(old)))
	starts++
	if err := os.WriteFile(counter, []byte(strconv.Itoa(starts)), 0o600); err != nil {
		log.Fatalf("counting starts: %v", err)
	}
	scratchErr := os.WriteFile(filepath.Join(*scratch, "probe"), []byte("x"), 0o600)
	// A read-only mount must refuse a write.
	configWritable := os.WriteFile(*config, []byte("changed"), 0o600) == nil
	secretWritable := os.WriteFile(*secret, []byte("changed"), 0o600) == nil

	http.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) {
		greeting, err := os.ReadFile(*config)
		token, _ := os.ReadFile(*secret)
		state := map[string]any{
			"secret":         string(token),
			"secretWritable": secretWritable,
			"starts":         starts,
			"config":         string(greeting),
			"configErr":      err != nil,
			"configWritable": configWritable,
			"scratch":        scratchErr == nil,
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(state)
	})
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	log.Fatal(http.ListenAndServe(*listen, nil))
}
