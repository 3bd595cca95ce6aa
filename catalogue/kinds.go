package catalogue

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Setting is one connection setting a service receives for each resource it
// uses, as the variable <RESOURCE>_<SUFFIX> (orders-db → ORDERS_DB_HOST).
type Setting string

// The connection settings, named by the key they have in the resource's
// connection Secret outside dev.
const (
	SettingHost     Setting = "host"
	SettingPort     Setting = "port"
	SettingDatabase Setting = "database"
	SettingUser     Setting = "user"
	SettingPassword Setting = "password"
	SettingURL      Setting = "url"
	// SettingBrokers is a Kafka client's bootstrap list, host:port pairs
	// separated by commas.
	SettingBrokers Setting = "brokers"
)

// Kind describes one kind of backing resource: how dev runs it and which
// connection settings its users get.
type Kind struct {
	Name string
	// Image is the official image; the resource's version is its tag.
	Image          string
	DefaultVersion string
	Port           int
	// URLScheme starts the connection URL, e.g. postgres://, for kinds
	// whose users get one.
	URLScheme string
	Settings  []Setting

	// How the official image runs, in dev and in a cluster alike: where
	// it keeps its data, the arguments that turn persistence on, the
	// variables that set up its database, user and password, and fixed
	// settings.
	DataDir    string
	Args       []string
	SettingEnv map[Setting]string
	Env        map[string]string
	// RootUser is the server's own administrator, whom the image sets up
	// by RootPasswordEnv alone, never as a user of SettingEnv; the image
	// makes up root's password by RandomRootEnv, which is in Env.
	RootUser, RootPasswordEnv, RandomRootEnv string

	// NotInCluster says why tandem does not run the kind in a cluster,
	// where it does not.
	NotInCluster string
}

// NATSMonitorPort serves NATS' /healthz, which the nats kind's Args open.
const NATSMonitorPort = 8222

// SQL kinds have a database and a user.
func (k Kind) SQL() bool { return k.Has(SettingDatabase) }

// Has tells whether users of this kind receive the setting.
func (k Kind) Has(s Setting) bool {
	for _, have := range k.Settings {
		if have == s {
			return true
		}
	}
	return false
}

var kinds = map[string]Kind{
	"postgres": {Name: "postgres", Image: "postgres", DefaultVersion: "16", Port: 5432, URLScheme: "postgres",
		Settings:   []Setting{SettingHost, SettingPort, SettingDatabase, SettingUser, SettingPassword, SettingURL},
		DataDir:    "/var/lib/postgresql/data",
		SettingEnv: map[Setting]string{SettingDatabase: "POSTGRES_DB", SettingUser: "POSTGRES_USER", SettingPassword: "POSTGRES_PASSWORD"}},
	"mysql": {Name: "mysql", Image: "mysql", DefaultVersion: "8.4", Port: 3306, URLScheme: "mysql",
		Settings:   []Setting{SettingHost, SettingPort, SettingDatabase, SettingUser, SettingPassword, SettingURL},
		DataDir:    "/var/lib/mysql",
		SettingEnv: map[Setting]string{SettingDatabase: "MYSQL_DATABASE", SettingUser: "MYSQL_USER", SettingPassword: "MYSQL_PASSWORD"},
		// Nobody needs root's password; the image makes one up.
		Env:      map[string]string{"MYSQL_RANDOM_ROOT_PASSWORD": "yes"},
		RootUser: "root", RootPasswordEnv: "MYSQL_ROOT_PASSWORD", RandomRootEnv: "MYSQL_RANDOM_ROOT_PASSWORD"},
	"redis": {Name: "redis", Image: "redis", DefaultVersion: "7", Port: 6379, URLScheme: "redis",
		Settings: []Setting{SettingHost, SettingPort, SettingURL},
		DataDir:  "/data"},
	"nats": {Name: "nats", Image: "nats", DefaultVersion: "2.10-alpine", Port: 4222, URLScheme: "nats",
		Settings: []Setting{SettingHost, SettingPort, SettingURL},
		DataDir:  "/data",
		Args:     []string{"--jetstream", "--store_dir", "/data", "--http_port", strconv.Itoa(NATSMonitorPort)}},
	"mariadb": {Name: "mariadb", Image: "mariadb", DefaultVersion: "11", Port: 3306, URLScheme: "mysql",
		Settings:   []Setting{SettingHost, SettingPort, SettingDatabase, SettingUser, SettingPassword, SettingURL},
		DataDir:    "/var/lib/mysql",
		SettingEnv: map[Setting]string{SettingDatabase: "MARIADB_DATABASE", SettingUser: "MARIADB_USER", SettingPassword: "MARIADB_PASSWORD"},
		Env:        map[string]string{"MARIADB_RANDOM_ROOT_PASSWORD": "yes"},
		RootUser:   "root", RootPasswordEnv: "MARIADB_ROOT_PASSWORD", RandomRootEnv: "MARIADB_RANDOM_ROOT_PASSWORD"},
	"mongo": {Name: "mongo", Image: "mongo", DefaultVersion: "7", Port: 27017, URLScheme: "mongodb",
		Settings:   []Setting{SettingHost, SettingPort, SettingUser, SettingPassword, SettingURL},
		DataDir:    "/data/db",
		SettingEnv: map[Setting]string{SettingUser: "MONGO_INITDB_ROOT_USERNAME", SettingPassword: "MONGO_INITDB_ROOT_PASSWORD"}},
	"rabbitmq": {Name: "rabbitmq", Image: "rabbitmq", DefaultVersion: "3.13-alpine", Port: 5672, URLScheme: "amqp",
		Settings:   []Setting{SettingHost, SettingPort, SettingUser, SettingPassword, SettingURL},
		DataDir:    "/var/lib/rabbitmq",
		SettingEnv: map[Setting]string{SettingUser: "RABBITMQ_DEFAULT_USER", SettingPassword: "RABBITMQ_DEFAULT_PASS"}},
	// One node in KRaft mode, broker and controller at once. The image
	// takes its whole configuration from these variables once any is
	// set, so every setting a single node needs is here.
	"kafka": {Name: "kafka", Image: "apache/kafka", DefaultVersion: "3.9.1", Port: 9092,
		Settings: []Setting{SettingHost, SettingPort, SettingBrokers},
		DataDir:  "/var/lib/kafka/data",
		Env: map[string]string{
			"KAFKA_NODE_ID":                                  "1",
			"KAFKA_PROCESS_ROLES":                            "broker,controller",
			"KAFKA_LISTENERS":                                "PLAINTEXT://:9092,CONTROLLER://localhost:9093",
			"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP":           "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
			"KAFKA_CONTROLLER_LISTENER_NAMES":                "CONTROLLER",
			"KAFKA_CONTROLLER_QUORUM_VOTERS":                 "1@localhost:9093",
			"KAFKA_INTER_BROKER_LISTENER_NAME":               "PLAINTEXT",
			"KAFKA_LOG_DIRS":                                 "/var/lib/kafka/data",
			"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR":         "1",
			"KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
			"KAFKA_TRANSACTION_STATE_LOG_MIN_ISR":            "1",
			"KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS":         "0",
			// Any fixed id will do: each resource has a volume of its own.
			"CLUSTER_ID": "dGFuZGVtLWRldi1rYWZrYQ",
		},
		NotInCluster: "a Kafka cluster needs several brokers, rack awareness and rolling upgrades, which an operator such as Strimzi provides and one StatefulSet does not"},
}

// ServerEnv is the environment the kind's server runs with when its
// clients reach it at host: the fixed settings, and those that name the
// address it tells its clients to use.
func (k Kind) ServerEnv(host string) map[string]string {
	env := maps.Clone(k.Env)
	if env == nil {
		env = map[string]string{}
	}
	if k.Name == "kafka" {
		// A client asks any broker for the cluster's brokers and then
		// connects to the addresses they advertise.
		env["KAFKA_ADVERTISED_LISTENERS"] = "PLAINTEXT://" + host + ":" + strconv.Itoa(k.Port)
	}
	return env
}

// Root tells whether the resource's users log in as its server's root
// user (user: root for mysql and mariadb).
func (r *Resource) Root() bool {
	k := r.KindInfo()
	return k.RootUser != "" && r.User == k.RootUser
}

// SetupEnv maps each setting the server is set up with to the image's
// variable for it: root's password alone, with the database, for a
// resource whose users log in as root.
func (r *Resource) SetupEnv() map[Setting]string {
	k := r.KindInfo()
	if !r.Root() {
		return k.SettingEnv
	}
	return map[Setting]string{SettingDatabase: k.SettingEnv[SettingDatabase], SettingPassword: k.RootPasswordEnv}
}

// ServerEnv is the kind's server environment for the resource name; root's
// password is the resource's own where its users log in as root.
func (r *Resource) ServerEnv(name string) map[string]string {
	env := r.KindInfo().ServerEnv(name)
	if r.Root() {
		delete(env, r.KindInfo().RandomRootEnv)
	}
	return env
}

// ServerArgs are the server's arguments: the kind's, then the resource's
// own options.
func (r *Resource) ServerArgs() []string {
	return append(slices.Clone(r.KindInfo().Args), r.Args...)
}

// KindOfImage returns the kind that runs from the official image named
// image (without tag).
func KindOfImage(image string) (string, bool) {
	for name, k := range kinds {
		if k.Image == image {
			return name, true
		}
	}
	return "", false
}

// SetupSetting returns the setting an image variable of the kind sets up
// (POSTGRES_USER: user).
func (k Kind) SetupSetting(variable string) (Setting, bool) {
	for setting, v := range k.SettingEnv {
		if v == variable {
			return setting, true
		}
	}
	return "", false
}

// LookupKind returns the kind named name.
func LookupKind(name string) (Kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// KindNames lists the supported resource kinds, sorted.
func KindNames() []string {
	names := make([]string, 0, len(kinds))
	for name := range kinds {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// EnvPrefix is the variable prefix of a resource's connection settings.
func EnvPrefix(resource string) string {
	return strings.ToUpper(strings.ReplaceAll(resource, "-", "_"))
}

// SettingVar is the variable that carries a setting of a resource.
func SettingVar(resource string, s Setting) string {
	return EnvPrefix(resource) + "_" + strings.ToUpper(string(s))
}

// DevEnvFileName is where dev secret values live, relative to the
// catalogue's folder; it is git-ignored.
const DevEnvFileName = ".tandem/dev.env"

// ConnectionSecretName is the Secret outside dev that holds a resource's
// connection settings under the setting names as keys.
func ConnectionSecretName(resource string) string { return resource + "-connection" }

// ServiceSecretName is the Secret outside dev that holds a service's
// secrets under their variable names as keys.
func ServiceSecretName(service string) string { return service + "-secrets" }

// versionBelow tells whether an image tag names a version older than
// major.minor; a tag that starts with no version (latest, alpine) is new.
func versionBelow(tag string, major, minor int) bool {
	var got [2]int
	n, _ := fmt.Sscanf(tag, "%d.%d", &got[0], &got[1])
	switch {
	case n == 0:
		return false
	case got[0] != major:
		return got[0] < major
	}
	return n == 2 && got[1] < minor
}

// ReadinessCommand is the command that asks a mongo or rabbitmq server
// whether it serves, by the tools its version ships: mongosh from mongo
// 5.0 (the mongo shell before), rabbitmq-diagnostics from RabbitMQ 3.7
// (rabbitmqctl before); nil for other kinds.
func (r *Resource) ReadinessCommand() []string {
	switch r.Kind {
	case "mongo":
		shell := "mongosh"
		if versionBelow(r.Tag(), 5, 0) {
			shell = "mongo"
		}
		return []string{shell, "--quiet", "--eval", "db.adminCommand('ping')"}
	case "rabbitmq":
		if versionBelow(r.Tag(), 3, 7) {
			return []string{"rabbitmqctl", "-q", "node_health_check"}
		}
		return []string{"rabbitmq-diagnostics", "-q", "ping"}
	}
	return nil
}
