// Command notifications consumes OrderPlaced events and tells the customer.
// Its one port answers health checks only: the work arrives on NATS. In dev
// it logs the mail it would send through SMTP_HOST.
package main

import (
	"context"
	"encoding/json"
	"log"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandemdev/tandem/examples/shop/internal/events"
	"github.com/tandemdev/tandem/examples/shop/internal/service"
)

func main() {
	smtp := service.Env("SMTP_HOST") + ":" + service.Env("SMTP_PORT")
	bus, stop, err := events.Connect(service.Env("EVENTS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	_, err = bus.QueueSubscribe(events.OrderPlacedSubject, "notifications", func(m *nats.Msg) {
		var placed events.OrderPlaced
		if err := json.Unmarshal(m.Data, &placed); err != nil {
			log.Printf("ignoring a malformed event: %v", err)
			return
		}
		log.Printf("would mail through %s: order %d placed (%d x %s)", smtp, placed.ID, placed.Quantity, placed.Product)
	})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("notifications listening on %s", events.OrderPlacedSubject)
	srv := service.New("notifications")
	srv.Check("events", func(_ context.Context) error { return bus.FlushTimeout(time.Second) })
	srv.Run()
}
