// Command tandem renders a service catalogue into a kustomize tree and a
// Compose file. The program is app.Run; main only wires the process to it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tandemdev/tandem/cmd/tandem/app"
	"github.com/tandemdev/tandem/internal/gctune"
)

func main() {
	gctune.Tune()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, app.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Args)
	stop()
	os.Exit(code)
}
