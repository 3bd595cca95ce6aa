package project

import (
	"errors"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/inspect"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/stale"
	"github.com/tandemdev/tandem/render/tree"
)

// inputErrors are the errors that say the user's input is wrong (the
// catalogue, a name, an option, a file tandem would not touch) rather
// than the machine or tandem.
var inputErrors = []error{
	ErrUsage,
	catalogue.ErrInvalid, catalogue.ErrNotFound, catalogue.ErrEdit, catalogue.ErrUnknownName,
	build.ErrUnknownEnvironment, stale.ErrPatch, tree.ErrNotGenerated, tree.ErrOutputFolder,
	inspect.ErrUnknown,
}

// IsInputError tells whether err is the input's fault, which the command
// line reports with exit code 2.
func IsInputError(err error) bool {
	for _, target := range inputErrors {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
