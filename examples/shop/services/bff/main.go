// Command bff is the shop's bff service; so far it only answers its health
// check.
package main

import "github.com/tandemdev/tandem/examples/shop/internal/service"

func main() { service.Run("bff", nil) }
