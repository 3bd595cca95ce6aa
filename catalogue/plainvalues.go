package catalogue

import (
	"maps"
	"regexp"
	"slices"
)

// plainValue is one value the catalogue writes as it is into the Compose
// file and into the manifests of every environment it reaches.
type plainValue struct {
	path, key, value string
}

// plainValues lists every plain environment value: config groups, their
// per-environment overrides, services' env and their overrides.
func (c *Catalogue) plainValues() []plainValue {
	var out []plainValue
	add := func(p string, env map[string]string) {
		for _, key := range slices.Sorted(maps.Keys(env)) {
			out = append(out, plainValue{p + "." + key, key, env[key]})
		}
	}
	for _, group := range slices.Sorted(maps.Keys(c.Config)) {
		add("config."+group, c.Config[group])
	}
	for _, name := range c.EnvironmentNames() {
		if e := c.Environments[name]; e != nil {
			for _, group := range slices.Sorted(maps.Keys(e.Config)) {
				add("environments."+name+".config."+group, e.Config[group])
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		s := c.Services[name]
		if s == nil {
			continue
		}
		add("services."+name+".env", s.Env)
		for _, env := range slices.Sorted(maps.Keys(s.Overrides)) {
			if o := s.Overrides[env]; o != nil {
				add("services."+name+".overrides."+env+".env", o.Env)
			}
		}
	}
	return out
}

var (
	// secretKey matches names that hold a secret in every convention met
	// in real systems; names that only mention one (TOKEN_TTL,
	// PASSWORD_MIN_LENGTH, PUBLIC_KEY) do not match.
	secretKey = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIALS?|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|(^|_)PEM)$`)
	// secretValue matches values that are credentials whatever their
	// name: an Authorization header, a private key, a URL with a password.
	// A reference in their place, $(TOKEN) or ${TOKEN}, is no secret.
	secretValue = regexp.MustCompile(`^(?i:bearer|basic|token)\s+[^\s$]\S{7,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@:\s]+:[^/@\s$][^/@\s]*@`)
	// secretFile is the path of a file Compose or Kubernetes mounts a
	// secret at (DB_PASSWORD: /run/secrets/db-password), which names the
	// secret rather than holding it.
	secretFile = regexp.MustCompile(`^/run/secrets/[^\s]+$`)
	// reference is a value that only refers to another variable.
	reference = regexp.MustCompile(`^\$(\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\})$`)
)

// SecretFilePath tells a path a secret is mounted at, which names the
// secret rather than holding it.
func SecretFilePath(value string) bool { return secretFile.MatchString(value) }

// LooksSecret tells whether a plain value named key would be refused as a
// credential, so that what writes catalogues (import) declares it a
// secret instead.
func LooksSecret(key, value string) bool { return secretBy(key, value) != notSecret }

// What makes a plain value a secret, if anything.
const (
	notSecret = iota
	secretByValue
	secretByName
)

// secretBy is the one rule for credentials in plain values, for the
// loader and for import alike.
func secretBy(key, value string) int {
	switch {
	case value == "":
		return notSecret
	case secretValue.MatchString(value):
		return secretByValue
	case secretKey.MatchString(key) && !reference.MatchString(value) && !SecretFilePath(value):
		return secretByName
	}
	return notSecret
}

// maxValueBytes bounds one value: every object holding it must stay below
// the API server's 1.5 MiB, and a ConfigMap below 1 MiB.
const maxValueBytes = 256 << 10

// checkPlainValues refuses plain values that look like secrets, which
// would be written into every environment's files and into git, and
// values too large for any object that would carry them. A value already
// reported, such as a resource's password, is not reported twice.
func (c *Catalogue) checkPlainValues(errs *errorList) {
	reported := map[string]bool{}
	for _, e := range errs.errs {
		reported[e.Path] = true
	}
	for _, v := range c.plainValues() {
		by := secretBy(v.key, v.value)
		switch {
		case reported[v.path]:
		case len(v.value) > maxValueBytes:
			errs.add(v.path, "the value is %d KiB; a value may be at most %d KiB, since it is copied into objects the API server limits to 1.5 MiB: put large data in a config volume", len(v.value)>>10, maxValueBytes>>10)
		case by == secretByValue:
			errs.add(v.path, "the value looks like a credential; a plain value is written into every environment's files, so declare %s in the service's secrets (its dev value then lives in %s)", v.key, DevEnvFileName)
		case by == secretByName:
			errs.add(v.path, "%s names a secret, and a plain value is written into every environment's files; declare it in the service's secrets (its dev value then lives in %s)", v.key, DevEnvFileName)
		}
	}
}
