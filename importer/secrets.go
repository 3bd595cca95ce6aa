package importer

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/tandemdev/tandem/catalogue"
)

// secretsDir is where Compose mounts a service's secrets by default.
const secretsDir = "/run/secrets"

// composeSecretTarget is where a service sees one of its Compose secrets.
func composeSecretTarget(s types.ServiceSecretConfig) string {
	target := s.Target
	if target == "" {
		target = s.Source
	}
	if !path.IsAbs(target) {
		target = path.Join(secretsDir, target)
	}
	return target
}

// composeSecretValue reads a Compose secret's value as the container sees
// it: the file's content or the variable's (Compose has no inline
// secrets); if it cannot, it says why. Trailing line breaks go, as the
// official images' *_FILE support and most apps drop them.
func (im *importer) composeSecretValue(source string) (value, unreadable string) {
	cfg, ok := im.project.Secrets[source]
	switch {
	case !ok:
		return "", "the project declares no such secret"
	case bool(cfg.External):
		return "", "it is external, kept by the engine"
	case cfg.File != "":
		data, err := im.fs().ReadFile(cfg.File)
		if err != nil {
			return "", fmt.Sprintf("its file %s cannot be read", im.hostPath(cfg.File))
		}
		value = string(data)
	case cfg.Environment != "":
		if value, ok = im.project.Environment[cfg.Environment]; !ok {
			return "", fmt.Sprintf("its variable %s is not set", cfg.Environment)
		}
	default:
		return "", "it has no value"
	}
	return strings.TrimRight(value, "\r\n"), ""
}

// fileSecrets resolves a resource's *_FILE variables that name one of its
// Compose secrets to the variable without _FILE, valued by the secret, as
// the official images read them; from says which Compose secret each
// resolved variable came from.
func (im *importer) fileSecrets(svc types.ServiceConfig) (env map[string]*string, from map[string]string) {
	env = map[string]*string{}
	from = map[string]string{}
	targets := map[string]string{}
	for _, s := range svc.Secrets {
		targets[composeSecretTarget(s)] = s.Source
	}
	for key, value := range svc.Environment {
		env[key] = value
	}
	for key, value := range svc.Environment {
		base, isFile := strings.CutSuffix(key, "_FILE")
		if !isFile || value == nil || targets[*value] == "" || env[base] != nil {
			continue
		}
		secret, unreadable := im.composeSecretValue(targets[*value])
		if unreadable != "" {
			continue
		}
		delete(env, key)
		env[base] = &secret
		from[base] = targets[*value]
	}
	return env, from
}

// notIdentifier is what a Compose secret's name has that a variable's
// cannot.
var notIdentifier = regexp.MustCompile(`[^A-Z0-9_]+`)

// secretVariable names the catalogue secret that carries a Compose secret:
// db-password is DB_PASSWORD.
func secretVariable(source string) string {
	name := strings.Trim(notIdentifier.ReplaceAllString(strings.ToUpper(source), "_"), "_")
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "SECRET_" + name
	}
	return name
}

// serviceSecrets mounts a service's Compose secrets as secret volumes: a
// resource's password where the resource reads the same Compose secret as
// its password (the service then uses it), else a secret of the service's
// own, valued by the secret. What cannot be read (external secrets) is
// kept under x-unmapped.
func (im *importer) serviceSecrets(name string, s *service, svc types.ServiceConfig) {
	var kept []types.ServiceSecretConfig
	for _, secret := range svc.Secrets {
		target := composeSecretTarget(secret)
		where := "services." + name + ".secrets: " + secret.Source
		if resource := im.passwordSecrets[secret.Source]; resource != "" {
			im.mountPassword(name, s, secret, resource)
			continue
		}
		value, unreadable := im.composeSecretValue(secret.Source)
		if unreadable != "" {
			kept = append(kept, secret)
			im.mapSecret(secret.Source, false)
			im.note("%s: kept under x-unmapped, as %s; mount it by hand (volumes: {path: %s, secret: NAME})", where, unreadable, target)
			continue
		}
		if resource := im.passwordOf(value); resource != "" {
			// The file holds a database's password, which the
			// resource's setting carries now.
			im.passwordSecrets[secret.Source] = resource
			im.mountPassword(name, s, secret, resource)
			continue
		}
		variable, _ := im.secretName(name, secretVariable(secret.Source), value)
		im.secrets[variable] = value
		if !slices.Contains(s.secrets, variable) {
			s.secrets = append(s.secrets, variable)
		}
		s.volumes = append(s.volumes, volume{Volume: catalogue.Volume{Path: target, Secret: variable}})
		im.note("%s: mounted at %s as the file of the secret %s, its value in the dev env file (volumes: {secret: %s})", where, target, variable, variable)
		im.mapSecret(secret.Source, true)
	}
	if len(kept) > 0 {
		im.keepValue(name, "secrets", kept)
	}
}

// mountPassword mounts resource's password where the service read the
// Compose secret that holds it; the service then uses the resource.
func (im *importer) mountPassword(name string, s *service, secret types.ServiceSecretConfig, resource string) {
	target := composeSecretTarget(secret)
	where := "services." + name + ".secrets: " + secret.Source
	variable := catalogue.SettingVar(resource, catalogue.SettingPassword)
	s.volumes = append(s.volumes, volume{Volume: catalogue.Volume{Path: target, Secret: variable}})
	if !slices.Contains(s.uses, resource) {
		s.uses = append(s.uses, resource)
		im.note("%s: is the password of resource %s, so %s uses %s now", where, resource, name, resource)
	}
	im.note("%s: mounted at %s as the file of %s, resource %s's password (volumes: {secret: %s})", where, target, variable, resource, variable)
	im.mapSecret(secret.Source, true)
}

// passwordOf names the resource whose password value is, if any.
func (im *importer) passwordOf(value string) string {
	if value == "" {
		return ""
	}
	for _, name := range slices.Sorted(maps.Keys(im.resources)) {
		if im.resources[name].password == value {
			return name
		}
	}
	return ""
}

// rootLogin settles a mysql or mariadb resource's root password (the
// variable key, or key_FILE reading the Compose secret secret): where
// Compose set up no user of its own, its clients log in as root, so the
// resource's users do too, with root's password as the resource's; else
// root's password stays beside the catalogue, unused by tandem.
func (im *importer) rootLogin(name string, r *resource, k catalogue.Kind, svc types.ServiceConfig, key, password, secret string) {
	variable := catalogue.SettingVar(name, catalogue.SettingPassword)
	given := key
	if secret != "" {
		given = key + "_FILE, the Compose secret " + secret
	}
	if r.user == "" && r.password == "" {
		r.user = k.RootUser
		im.note("resources.%s: Compose set up no user but root (%s), so the services log in as root: user: root, and %s carries root's password (%s)", name, given, variable, k.RootPasswordEnv)
		if password == "" {
			im.note("resources.%s: %s is empty; tandem render will make up a dev password", name, key)
			return
		}
		r.password = password
		im.secrets[variable] = password
		if secret != "" {
			im.passwordSecrets[secret] = name
		}
		return
	}
	if secret != "" {
		im.keep(name, "environment", key+"_FILE", deref(svc.Environment[key+"_FILE"]))
		im.note("resources.%s: %s_FILE is kept under x-unmapped; the services log in as %s, and the image makes up root's password", name, key, r.user)
		return
	}
	secret = key
	if password != "" {
		// Never a secret value in the catalogue, not even unmapped; two
		// databases' root passwords keep a name each.
		secret, _ = im.secretName(name, key, password)
		im.secrets[secret] = password
		im.keep(name, "environment", key, "${"+secret+"}")
	}
	im.note("resources.%s: %s is kept under x-unmapped, its value in the dev env file as %s; the services log in as %s, and the image makes up root's password", name, key, secret, r.user)
}

// resourceSecrets keeps under x-unmapped the Compose secrets of a resource
// that it does not read as its password: tandem gives a resource nothing
// but its settings.
func (im *importer) resourceSecrets(name string, svc types.ServiceConfig) {
	var kept []types.ServiceSecretConfig
	for _, secret := range svc.Secrets {
		mapped := im.passwordSecrets[secret.Source] == name
		if !mapped {
			kept = append(kept, secret)
		}
		im.mapSecret(secret.Source, mapped)
	}
	if len(kept) > 0 {
		im.keepValue(name, "secrets", kept)
		im.note("resources.%s: Compose's secrets kept under x-unmapped; tandem gives a resource its connection settings only", name)
	}
}

// mapSecret records whether one mount of a Compose secret is in the
// catalogue now; one that is not keeps the secret under x-unmapped.
func (im *importer) mapSecret(source string, mapped bool) {
	if have, seen := im.secretsMapped[source]; seen && !have {
		return
	}
	im.secretsMapped[source] = mapped
}
