// Command cart is the shop's cart service; so far it only answers its health
// check.
package main

import "github.com/tandemdev/tandem/examples/shop/internal/service"

func main() { service.Run("cart", nil) }
