// Package pg opens a shop service's own PostgreSQL database.
package pg

import (
	"context"
	"log"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tandemdev/tandem/examples/shop/internal/service"
)

// Open connects to the database whose URL is in the variable urlVar, as
// tandem injects it, and applies schema unless it is empty, retrying while
// the database is still starting.
func Open(ctx context.Context, urlVar, schema string) *pgxpool.Pool {
	db, err := pgxpool.New(ctx, service.Env(urlVar))
	if err != nil {
		log.Fatal(err)
	}
	if schema == "" {
		return db
	}
	service.Retry("applying the schema", func() error {
		_, err := db.Exec(ctx, schema)
		return err
	})
	return db
}
