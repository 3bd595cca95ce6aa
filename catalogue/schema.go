package catalogue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
)

// SchemaID names the JSON Schema of the catalogue.
const SchemaID = "https://tandem.dev/schema/tandem.schema.json"

// Patterns validation enforces on keys, given to editors too: names are
// DNS-1123 labels (apimachinery's, which it does not export), variables
// Kubernetes' variable names.
var (
	namePattern   = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	envVarPattern = envName.String()
	// headerPattern is an HTTP header name as Kubernetes accepts it.
	headerPattern = `^[-A-Za-z0-9]+$`
)

// keyPatterns say what the keys of a map field must look like, by the
// field's path in Go terms.
var keyPatterns = map[string]string{
	"Catalogue.Environments": namePattern,
	"Catalogue.Config":       namePattern,
	"Catalogue.Resources":    namePattern,
	"Catalogue.Services":     namePattern,
	"Environment.Config":     namePattern,
	"Service.Jobs":           namePattern,
	"Service.Overrides":      namePattern,
	"Resource.Overrides":     namePattern,
	"Catalogue.Config{}":     envVarPattern,
	"Environment.Config{}":   envVarPattern,
	"Service.Env":            envVarPattern,
	"Health.Headers":         headerPattern,
	"Override.Env":           envVarPattern,
	"Service.Address":        envVarPattern,
	"Use.Env":                envVarPattern,
}

// enums are the closed sets of values of some string fields.
var enums = map[string]func() []string{
	"Resource.Kind":        KindNames,
	"Job.Before":           func() []string { return []string{JobBeforeStart} },
	"Port.Protocol":        Protocols,
	"Service.ServiceType":  ServiceTypes,
	"Override.ServiceType": ServiceTypes,
}

// ranges are the bounds of integer fields, the validator's own, so that
// an editor flags port: 70000 as the loader would.
var ranges = map[string][2]int{
	"Port.Port":                              {1, 65535},
	"Port.HostPort":                          {1, 65535},
	"Port.ServicePort":                       {1, 65535},
	"Port.NodePort":                          {minNodePort, maxNodePort},
	"Environment.Replicas":                   {0, math.MaxInt32},
	"Service.Replicas":                       {0, math.MaxInt32},
	"Override.Replicas":                      {0, math.MaxInt32},
	"Service.TerminationGracePeriodSeconds":  {1, MaxGracePeriodSeconds},
	"Override.TerminationGracePeriodSeconds": {1, MaxGracePeriodSeconds},
	"Autoscale.Min":                          {0, math.MaxInt32},
	"Autoscale.Max":                          {1, math.MaxInt32},
	"Autoscale.CPU":                          {0, 1000},
	"Security.RunAsUser":                     {0, math.MaxInt32},
	"Health.IntervalSeconds":                 {1, maxCheckSeconds},
	"Health.TimeoutSeconds":                  {1, maxCheckSeconds},
	"Health.FailureThreshold":                {1, maxFailureThreshold},
	"Health.StartupSeconds":                  {0, maxStartupSeconds},
}

// omitted are the fields a nested use of a struct does not have, by the
// path of the field that nests it: a liveness check is a Health without a
// startup time or a liveness of its own (validation says so too), which
// also ends the schema's recursion.
var omitted = map[string][]string{
	"Health.Liveness": {"startupSeconds", "liveness"},
}

// JSONSchema returns the JSON Schema (draft 2020-12) of tandem.yaml,
// generated from the Go types the loader decodes into, so that it cannot
// drift from them; every field's description is its doc tag. It fails on a
// field without one.
func JSONSchema() ([]byte, error) {
	root, err := schemaOf(reflect.TypeOf(Catalogue{}), "")
	if err != nil {
		return nil, err
	}
	root["type"] = "object"
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaID
	root["title"] = "tandem catalogue (tandem.yaml)"
	// Top-level x- keys hold anchors, as in Compose.
	root["patternProperties"] = map[string]any{"^x-": map[string]any{}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// scalar is what a string field accepts: the decoder reads any plain
// scalar as the text written (version: 16, DEBUG: true), and null (an
// empty value) as the default, as it does for every field.
var scalar = []string{"string", "number", "boolean", "null"}

func schemaOf(t reflect.Type, path string) (map[string]any, error) {
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), path)
	case reflect.String:
		s := map[string]any{"type": scalar}
		if values, ok := enums[path]; ok {
			var enum []any
			for _, v := range values() {
				enum = append(enum, v)
			}
			s = map[string]any{"enum": append(enum, nil)}
		}
		return s, nil
	case reflect.Int:
		s := map[string]any{"type": []string{"integer", "null"}}
		if r, ok := ranges[path]; ok {
			s["minimum"], s["maximum"] = r[0], r[1]
		}
		return s, nil
	case reflect.Bool:
		return map[string]any{"type": []string{"boolean", "null"}}, nil
	case reflect.Slice:
		items, err := schemaOf(t.Elem(), path+"[]")
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": []string{"array", "null"}, "items": items}, nil
	case reflect.Map:
		values, err := schemaOf(t.Elem(), path+"{}")
		if err != nil {
			return nil, err
		}
		s := map[string]any{"type": []string{"object", "null"}, "additionalProperties": values}
		if pattern, ok := keyPatterns[path]; ok {
			s["propertyNames"] = map[string]any{"pattern": pattern}
		}
		return s, nil
	case reflect.Struct:
		properties := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || slices.Contains(omitted[path], name) {
				continue
			}
			doc := f.Tag.Get("doc")
			if doc == "" {
				return nil, fmt.Errorf("%s.%s has no doc tag: every catalogue field needs a description", t.Name(), f.Name)
			}
			s, err := schemaOf(f.Type, t.Name()+"."+f.Name)
			if err != nil {
				return nil, err
			}
			s["description"] = doc
			properties[name] = s
		}
		object := map[string]any{"type": []string{"object", "null"}, "additionalProperties": false, "properties": properties}
		if reflect.PointerTo(t).Implements(shorthandType) {
			return map[string]any{"anyOf": []any{map[string]any{"type": "string"}, object}}, nil
		}
		return object, nil
	}
	return nil, fmt.Errorf("%s: no JSON Schema for %s", path, t)
}

// Reference is docs/catalogue.md: every field of the catalogue, by the
// type that holds it, with its YAML type and its description (which names
// its default), from the same Go types and doc tags as JSONSchema.
func Reference() []byte {
	var b bytes.Buffer
	b.WriteString("<!-- Code generated by tandem's catalogue tests from the Go types; DO NOT EDIT. -->\n")
	b.WriteString("# The catalogue: every field\n\n")
	b.WriteString("`tandem.yaml` is strict: a key not listed here is an error (top-level keys starting with `x-` excepted).\n")
	b.WriteString("Names (environments, config groups, resources, services, jobs) are DNS-1123 labels.\n")
	b.WriteString("It is read as YAML 1.2, UTF-8 text of at most 32 MiB: an integer with a leading zero (`0443`, read as octal by YAML 1.1), ")
	b.WriteString("`yes`/`no` for booleans, `!!binary` and local tags, control characters and NUL are errors; NEL and U+2028 end no line. ")
	b.WriteString("Aliases and merge keys (`<<`) may expand to at most 1,000,000 values, and a catalogue may include at most 1000 files.\n")
	b.WriteString("`tandem schema` prints the same as a JSON Schema for editors.\n")
	seen := map[reflect.Type]bool{}
	queue := []reflect.Type{reflect.TypeOf(Catalogue{})}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		if seen[t] {
			continue
		}
		seen[t] = true
		fmt.Fprintf(&b, "\n## %s\n\n| field | type | description |\n|---|---|---|\n", t.Name())
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			yamlType, nested := describeType(f.Type)
			if nested != nil {
				queue = append(queue, nested)
			}
			doc := f.Tag.Get("doc")
			if values, ok := enums[t.Name()+"."+f.Name]; ok {
				doc += " One of: " + strings.Join(values(), ", ") + "."
			}
			// Markdown renderers take <name> for an HTML tag.
			doc = strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;").Replace(doc)
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", name, yamlType, doc)
		}
	}
	return b.Bytes()
}

// describeType names a field's YAML type and returns the struct it leads
// to, if any.
func describeType(t reflect.Type) (string, reflect.Type) {
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.Slice:
		inner, nested := describeType(t.Elem())
		return "list of " + inner, nested
	case reflect.Map:
		inner, nested := describeType(t.Elem())
		return "map of name to " + inner, nested
	case reflect.Struct:
		link := "[" + t.Name() + "](#" + strings.ToLower(t.Name()) + ")"
		if reflect.PointerTo(t).Implements(shorthandType) {
			return "name or " + link, t
		}
		return link, t
	case reflect.Int:
		return "integer", nil
	case reflect.Bool:
		return "true/false", nil
	}
	return "string", nil
}
