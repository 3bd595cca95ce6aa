// Command bff is the shop's entry point for browsers. Every /api request
// carries a session token signed with SESSION_KEY; the BFF checks it, then
// serves products from catalog (cached in redis), the user's account from
// auth and cart from cart, and places and reads orders through orders.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemdev/tandem/examples/shop/internal/service"
)

const productsKey = "bff:products"

type bff struct {
	sessionKey                              []byte
	authURL, cartURL, catalogURL, ordersURL string
	cache                                   *redis.Client
	cacheTTL                                time.Duration
}

func main() {
	opts, err := redis.ParseURL(service.Env("CACHE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	b := &bff{
		sessionKey: []byte(service.Env("SESSION_KEY")),
		authURL:    service.Env("AUTH_URL"),
		cartURL:    service.Env("CART_URL"),
		catalogURL: service.Env("CATALOG_URL"),
		ordersURL:  service.Env("ORDERS_URL"),
		cache:      redis.NewClient(opts),
		cacheTTL:   30 * time.Second,
	}
	srv := service.New("bff")
	srv.Check("cache", func(ctx context.Context) error { return b.cache.Ping(ctx).Err() })
	srv.Mux.HandleFunc("GET /api/products", b.session(b.products))
	srv.Mux.HandleFunc("POST /api/orders", b.session(b.forward(b.ordersURL, "POST", "/orders")))
	srv.Mux.HandleFunc("GET /api/orders/{id}", b.session(func(w http.ResponseWriter, r *http.Request) {
		b.forward(b.ordersURL, "GET", "/orders/"+r.PathValue("id"))(w, r)
	}))
	// The session's user is the account, and owns one cart.
	srv.Mux.HandleFunc("GET /api/account", b.session(func(w http.ResponseWriter, r *http.Request) {
		b.forward(b.authURL, "GET", "/users/"+user(r))(w, r)
	}))
	srv.Mux.HandleFunc("GET /api/cart", b.session(func(w http.ResponseWriter, r *http.Request) {
		b.forward(b.cartURL, "GET", "/carts/"+user(r))(w, r)
	}))
	srv.Mux.HandleFunc("POST /api/cart/items", b.session(func(w http.ResponseWriter, r *http.Request) {
		b.forward(b.cartURL, "POST", "/carts/"+user(r)+"/items")(w, r)
	}))
	srv.Run()
}

// Sign is the session token of a user: "user.hex(HMAC-SHA256(key, user))".
func Sign(key []byte, user string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(user))
	return user + "." + hex.EncodeToString(mac.Sum(nil))
}

// session lets a request through only with a valid session token in
// "Authorization: Bearer TOKEN".
func (b *bff) session(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		user, _, _ := strings.Cut(token, ".")
		if !ok || user == "" || !hmac.Equal([]byte(token), []byte(Sign(b.sessionKey, user))) {
			http.Error(w, "no valid session", http.StatusUnauthorized)
			return
		}
		next(w, r)
	}
}

// products answers from redis when it can, else from catalog, caching the
// answer; X-Cache tells which.
func (b *bff) products(w http.ResponseWriter, r *http.Request) {
	if cached, err := b.cache.Get(r.Context(), productsKey).Bytes(); err == nil {
		w.Header().Set("X-Cache", "hit")
		writeBody(w, http.StatusOK, cached)
		return
	} else if err != redis.Nil {
		log.Printf("cache: %v", err)
	}
	status, body, err := call(r.Context(), "GET", b.catalogURL+"/products", nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if status == http.StatusOK {
		if err := b.cache.Set(r.Context(), productsKey, body, b.cacheTTL).Err(); err != nil {
			log.Printf("cache: %v", err)
		}
	}
	w.Header().Set("X-Cache", "miss")
	writeBody(w, status, body)
}

// user is the user of a request that session let through.
func user(r *http.Request) string {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	name, _, _ := strings.Cut(token, ".")
	return url.PathEscape(name)
}

// forward passes the request to the service at base and its answer back.
func (b *bff) forward(base, method, path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, body, err := call(r.Context(), method, base+path, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		writeBody(w, status, body)
	}
}

func call(ctx context.Context, method, url string, body io.Reader) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data, err
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.Copy(w, bytes.NewReader(body))
}
