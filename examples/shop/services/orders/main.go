// Command orders stores orders in its own PostgreSQL (orders-db), publishes
// OrderPlaced on NATS (events), and reports each order with the payment
// status the payments service recorded.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tandemdev/tandem/examples/shop/internal/events"
	"github.com/tandemdev/tandem/examples/shop/internal/pg"
	"github.com/tandemdev/tandem/examples/shop/internal/service"
)

const schema = `CREATE TABLE IF NOT EXISTS orders (
	id BIGSERIAL PRIMARY KEY,
	product TEXT NOT NULL,
	quantity INT NOT NULL CHECK (quantity > 0),
	placed_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`

type order struct {
	ID       int64     `json:"id"`
	Product  string    `json:"product"`
	Quantity int       `json:"quantity"`
	PlacedAt time.Time `json:"placed_at"`
	Payment  string    `json:"payment"`
}

func main() {
	ctx := service.Context()
	// `orders migrate` is the catalogue's migrate job: it runs to completion
	// before the server starts, which then relies on the schema being there.
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		pg.Open(ctx, "ORDERS_DB_URL", schema).Close()
		log.Print("schema applied")
		return
	}
	db := pg.Open(ctx, "ORDERS_DB_URL", "")
	bus, stop, err := events.Connect(service.Env("EVENTS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	paymentsURL := service.Env("PAYMENTS_URL")

	srv := service.New("orders")
	srv.Check("orders-db", db.Ping)
	srv.Check("events", func(context.Context) error {
		if !bus.IsConnected() {
			return errors.New("not connected")
		}
		return nil
	})
	srv.Mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		var o order
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil || o.Product == "" || o.Quantity <= 0 {
			http.Error(w, "want {\"product\": ..., \"quantity\": >0}", http.StatusBadRequest)
			return
		}
		err := db.QueryRow(r.Context(), `INSERT INTO orders (product, quantity) VALUES ($1, $2) RETURNING id, placed_at`,
			o.Product, o.Quantity).Scan(&o.ID, &o.PlacedAt)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		event, _ := json.Marshal(events.OrderPlaced{ID: o.ID, Product: o.Product, Quantity: o.Quantity})
		if err := bus.Publish(events.OrderPlacedSubject, event); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		o.Payment = "pending"
		service.WriteJSON(w, http.StatusCreated, o)
	})
	srv.Mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := service.ID(w, r, "id")
		if !ok {
			return
		}
		var o order
		err := db.QueryRow(r.Context(), `SELECT id, product, quantity, placed_at FROM orders WHERE id = $1`, id).
			Scan(&o.ID, &o.Product, &o.Quantity, &o.PlacedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		o.Payment, err = paymentStatus(r.Context(), paymentsURL, o.ID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		service.WriteJSON(w, http.StatusOK, o)
	})
	srv.Run()
}

// paymentStatus asks payments what it recorded for an order: pending until
// it has consumed the order's event.
func paymentStatus(ctx context.Context, paymentsURL string, id int64) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/payments/%d", paymentsURL, id), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return "pending", nil
	}
	var p struct{ Status string }
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("payments: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return "", err
	}
	return p.Status, nil
}
