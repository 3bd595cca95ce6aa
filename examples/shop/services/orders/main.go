// Command orders is the shop's orders service; so far it only answers its health
// check.
package main

import "github.com/tandemdev/tandem/examples/shop/internal/service"

func main() { service.Run("orders", nil) }
