// Package catalogue holds tandem's model of a system: services, backing
// resources, config groups and environments, loaded strictly from
// tandem.yaml by Load, validated with every problem located by file, line,
// column and field path, and resolved per environment by
// Catalogue.Resolve with the precedence
// default < config group < service < environment override.
//
// It imports no renderer; renderers import it.
package catalogue
