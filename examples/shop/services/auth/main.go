// Command auth is the shop's auth service; so far it only answers its health
// check.
package main

import "github.com/tandemdev/tandem/examples/shop/internal/service"

func main() { service.Run("auth", nil) }
