// Package events is the shop's one event: an order was placed. orders
// publishes it on NATS; payments and notifications consume it.
package events

// OrderPlacedSubject is the NATS subject of OrderPlaced.
const OrderPlacedSubject = "orders.placed"

// OrderPlaced is published once an order is stored.
type OrderPlaced struct {
	ID       int64  `json:"id"`
	Product  string `json:"product"`
	Quantity int    `json:"quantity"`
}
