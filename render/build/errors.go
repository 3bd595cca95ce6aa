package build

import "errors"

// ErrUnknownEnvironment is returned for an environment the catalogue does
// not deploy; it is the user's input, not the machine, that is wrong.
var ErrUnknownEnvironment = errors.New("unknown environment")
