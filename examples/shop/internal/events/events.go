// Package events is the shop's one event: an order was placed. orders
// publishes it on NATS; payments and notifications consume it.
package events

import "github.com/nats-io/nats.go"

// OrderPlacedSubject is the NATS subject of OrderPlaced.
const OrderPlacedSubject = "orders.placed"

// OrderPlaced is published once an order is stored.
type OrderPlaced struct {
	ID       int64  `json:"id"`
	Product  string `json:"product"`
	Quantity int    `json:"quantity"`
}

// Connect connects to the broker at url, reconnecting for as long as the
// service runs. stop drains it: subscriptions finish the events they
// hold and pending publishes go out before it returns.
func Connect(url string) (conn *nats.Conn, stop func(), err error) {
	closed := make(chan struct{})
	conn, err = nats.Connect(url, nats.MaxReconnects(-1), nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if err != nil {
		return nil, nil, err
	}
	return conn, func() {
		if err := conn.Drain(); err == nil {
			<-closed
		}
	}, nil
}
