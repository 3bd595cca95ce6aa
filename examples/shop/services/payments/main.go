// Command payments consumes OrderPlaced events from NATS and records a
// payment for each order in its own PostgreSQL (payments-db).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"

	"github.com/tandemdev/tandem/examples/shop/internal/events"
	"github.com/tandemdev/tandem/examples/shop/internal/pg"
	"github.com/tandemdev/tandem/examples/shop/internal/service"
)

const schema = `CREATE TABLE IF NOT EXISTS payments (
	order_id BIGINT PRIMARY KEY,
	status TEXT NOT NULL
)`

func main() {
	ctx := service.Context()
	db := pg.Open(ctx, "PAYMENTS_DB_URL", schema)
	// `payments reconcile` is the catalogue's nightly job.
	if len(os.Args) > 1 && os.Args[1] == "reconcile" {
		var captured int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM payments WHERE status = 'captured'`).Scan(&captured); err != nil {
			log.Fatal(err)
		}
		log.Printf("reconciled: %d captured payments", captured)
		return
	}
	bus, stop, err := events.Connect(service.Env("EVENTS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	// A queue group: with several replicas, each order is paid once.
	_, err = bus.QueueSubscribe(events.OrderPlacedSubject, "payments", func(m *nats.Msg) {
		var placed events.OrderPlaced
		if err := json.Unmarshal(m.Data, &placed); err != nil {
			log.Printf("ignoring a malformed event: %v", err)
			return
		}
		if _, err := db.Exec(ctx, `INSERT INTO payments (order_id, status) VALUES ($1, 'captured') ON CONFLICT DO NOTHING`, placed.ID); err != nil {
			log.Printf("order %d: %v", placed.ID, err)
			return
		}
		log.Printf("order %d: payment captured", placed.ID)
	})
	if err != nil {
		log.Fatal(err)
	}

	srv := service.New("payments")
	srv.Check("payments-db", db.Ping)
	srv.Check("events", func(_ context.Context) error { return bus.FlushTimeout(time.Second) })
	srv.Mux.HandleFunc("GET /payments/{order}", func(w http.ResponseWriter, r *http.Request) {
		order, ok := service.ID(w, r, "order")
		if !ok {
			return
		}
		var status string
		err := db.QueryRow(r.Context(), `SELECT status FROM payments WHERE order_id = $1`, order).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		service.WriteJSON(w, http.StatusOK, map[string]any{"order": order, "status": status})
	})
	srv.Run()
}
