// Command cart keeps shopping carts in the shared redis (cache), taking
// only products that catalog knows.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemdev/tandem/examples/shop/internal/service"
)

func main() {
	opts, err := redis.ParseURL(service.Env("CACHE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	ttl, err := time.ParseDuration(service.Env("CART_TTL"))
	if err != nil {
		log.Fatalf("CART_TTL: %v", err)
	}
	cache := redis.NewClient(opts)
	catalogURL := service.Env("CATALOG_URL")
	srv := service.New("cart")
	srv.Check("cache", func(ctx context.Context) error { return cache.Ping(ctx).Err() })
	srv.Mux.HandleFunc("POST /carts/{id}/items", func(w http.ResponseWriter, r *http.Request) {
		var item struct {
			SKU      string `json:"sku"`
			Quantity int64  `json:"quantity"`
		}
		if err := json.NewDecoder(r.Body).Decode(&item); err != nil || item.SKU == "" || item.Quantity <= 0 {
			http.Error(w, "want {\"sku\": ..., \"quantity\": >0}", http.StatusBadRequest)
			return
		}
		if status, err := lookUp(r.Context(), catalogURL, item.SKU); err != nil {
			http.Error(w, "catalog: "+err.Error(), http.StatusBadGateway)
			return
		} else if status == http.StatusNotFound {
			http.Error(w, "no product "+item.SKU, http.StatusBadRequest)
			return
		} else if status != http.StatusOK {
			http.Error(w, "catalog answered "+http.StatusText(status), http.StatusBadGateway)
			return
		}
		key := "cart:" + r.PathValue("id")
		pipe := cache.TxPipeline()
		pipe.HIncrBy(r.Context(), key, item.SKU, item.Quantity)
		pipe.Expire(r.Context(), key, ttl)
		if _, err := pipe.Exec(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv.Mux.HandleFunc("GET /carts/{id}", func(w http.ResponseWriter, r *http.Request) {
		items, err := cache.HGetAll(r.Context(), "cart:"+r.PathValue("id")).Result()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		cart := map[string]int{}
		for sku, n := range items {
			cart[sku], _ = strconv.Atoi(n)
		}
		service.WriteJSON(w, http.StatusOK, cart)
	})
	srv.Run()
}

// lookUp asks catalog for the product sku, answering its HTTP status.
func lookUp(ctx context.Context, catalogURL, sku string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", catalogURL+"/products/"+url.PathEscape(sku), nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
