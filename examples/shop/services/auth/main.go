// Command auth owns the shop's users in its own PostgreSQL (users-db): it
// tells the BFF whether a user has an account, and answers its health
// check with the database's; JWT_SIGNING_KEY is the secret its tokens
// will be signed with.
package main

import (
	"log"
	"net/http"

	"github.com/tandemdev/tandem/examples/shop/internal/pg"
	"github.com/tandemdev/tandem/examples/shop/internal/service"
)

func main() {
	ctx := service.Context()
	if len(service.Env("JWT_SIGNING_KEY")) < 16 {
		log.Fatal("JWT_SIGNING_KEY is shorter than 16 bytes")
	}
	db := pg.Open(ctx, "USERS_DB_URL", `CREATE TABLE IF NOT EXISTS users (id BIGSERIAL PRIMARY KEY, email TEXT UNIQUE NOT NULL)`)
	srv := service.New("auth")
	srv.Check("users-db", db.Ping)
	srv.Mux.HandleFunc("GET /users/{email}", func(w http.ResponseWriter, r *http.Request) {
		var known bool
		err := db.QueryRow(r.Context(), `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)`, r.PathValue("email")).Scan(&known)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		service.WriteJSON(w, http.StatusOK, map[string]any{"email": r.PathValue("email"), "registered": known})
	})
	srv.Run()
}
