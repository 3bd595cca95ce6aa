// Command catalog serves the product list from its own MySQL (catalog-db),
// seeding it on first start, and single products, which cart looks up for
// every item added, through the shared redis (cache).
package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/tandemdev/tandem/examples/shop/internal/service"
)

type product struct {
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Price int    `json:"price_cents"`
}

var seed = []product{{"mug", "Tandem mug", 1200}, {"tee", "Tandem T-shirt", 2500}, {"sticker", "Sticker pack", 400}}

func main() {
	ctx := service.Context()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = service.Env("CATALOG_DB_USER"), service.Env("CATALOG_DB_PASSWORD")
	cfg.Net, cfg.Addr = "tcp", service.Env("CATALOG_DB_HOST")+":"+service.Env("CATALOG_DB_PORT")
	cfg.DBName = service.Env("CATALOG_DB_DATABASE")
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		log.Fatal(err)
	}
	service.Retry("seeding the products table", func() error {
		if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS products (sku VARCHAR(64) PRIMARY KEY, name TEXT NOT NULL, price_cents INT NOT NULL)`); err != nil {
			return err
		}
		for _, p := range seed {
			if _, err := db.ExecContext(ctx, `INSERT IGNORE INTO products VALUES (?, ?, ?)`, p.SKU, p.Name, p.Price); err != nil {
				return err
			}
		}
		return nil
	})

	opts, err := redis.ParseURL(service.Env("CACHE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	cache := redis.NewClient(opts)

	srv := service.New("catalog")
	srv.Check("catalog-db", db.PingContext)
	srv.Mux.HandleFunc("GET /products", func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.QueryContext(r.Context(), `SELECT sku, name, price_cents FROM products ORDER BY sku`)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		products := []product{}
		for rows.Next() {
			var p product
			if err := rows.Scan(&p.SKU, &p.Name, &p.Price); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			products = append(products, p)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		service.WriteJSON(w, http.StatusOK, products)
	})
	srv.Mux.HandleFunc("GET /products/{sku}", func(w http.ResponseWriter, r *http.Request) {
		key := "catalog:product:" + r.PathValue("sku")
		if cached, err := cache.Get(r.Context(), key).Bytes(); err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.Write(cached)
			return
		} else if err != redis.Nil {
			log.Printf("cache: %v", err) // the database still answers
		}
		var p product
		err := db.QueryRowContext(r.Context(), `SELECT sku, name, price_cents FROM products WHERE sku = ?`, r.PathValue("sku")).Scan(&p.SKU, &p.Name, &p.Price)
		if errors.Is(err, sql.ErrNoRows) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		body, _ := json.Marshal(p)
		if err := cache.Set(r.Context(), key, body, time.Minute).Err(); err != nil {
			log.Printf("cache: %v", err)
		}
		service.WriteJSON(w, http.StatusOK, p)
	})
	srv.Run()
}
