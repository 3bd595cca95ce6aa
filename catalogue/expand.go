package catalogue

import "strings"

// Variables may refer to each other as Kubernetes has it: $(NAME) is the
// value of the container's variable NAME, $$ is a literal $, and a
// reference to a variable the container lacks stays as written. Kubernetes
// fills them in for env entries only; tandem fills them in for Compose at
// render time, so that both environments give the application one value.

// References lists the variables value refers to with $(NAME), in order.
func References(value string) []string {
	var out []string
	scanReferences(value, func(string) {}, func(name, _ string) { out = append(out, name) })
	return out
}

// Expand fills in value's references. A reference that lookup knows
// becomes its answer as it is; every other part of value, escapes
// undone and unknown references kept as written, passes through literal,
// so that a renderer can quote what is literal its own way.
func Expand(value string, lookup func(name string) (string, bool), literal func(string) string) string {
	var b strings.Builder
	scanReferences(value,
		func(text string) { b.WriteString(literal(text)) },
		func(name, written string) {
			if v, ok := lookup(name); ok {
				b.WriteString(v)
			} else {
				b.WriteString(literal(written))
			}
		})
	return b.String()
}

// scanReferences splits value into literal text and references, by the
// rules of Kubernetes' expansion package (third_party/forked/golang/expansion).
func scanReferences(value string, text func(string), reference func(name, written string)) {
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			text(lit.String())
			lit.Reset()
		}
	}
	for i := 0; i < len(value); i++ {
		if value[i] != '$' || i+1 >= len(value) {
			lit.WriteByte(value[i])
			continue
		}
		switch value[i+1] {
		case '$':
			lit.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(value[i+2:], ')')
			if end < 0 {
				// Kubernetes keeps an unclosed reference as written.
				lit.WriteString(value[i:])
				i = len(value)
				continue
			}
			name := value[i+2 : i+2+end]
			written := value[i : i+3+end]
			if name == "" {
				lit.WriteString(written)
			} else {
				flush()
				reference(name, written)
			}
			i += 2 + end
		default:
			lit.WriteByte('$')
		}
	}
	flush()
}

// InReferenceOrder returns vars with each variable after those it refers
// to, and otherwise in the order given: Kubernetes fills in $(NAME) only
// from variables listed earlier. Validation rejects cycles; a variable
// caught in one stays where it was.
func InReferenceOrder(vars []EnvVar) []EnvVar {
	index := make(map[string]int, len(vars))
	for i, v := range vars {
		index[v.Name] = i
	}
	out := make([]EnvVar, 0, len(vars))
	state := make([]int, len(vars)) // 1 placing, 2 placed
	var place func(i int)
	place = func(i int) {
		if state[i] != 0 {
			return
		}
		state[i] = 1
		for _, ref := range References(vars[i].Value) {
			if j, ok := index[ref]; ok {
				place(j)
			}
		}
		state[i] = 2
		out = append(out, vars[i])
	}
	for i := range vars {
		place(i)
	}
	return out
}
