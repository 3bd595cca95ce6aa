package catalogue

// Catalogue is one system's services, their backing resources, shared
// configuration and the environments they are deployed to. It is decoded
// from tandem.yaml by Load and is read-only once validated.
type Catalogue struct {
	// Name names the system; it becomes a label value and the default
	// namespace prefix, so it must be a DNS-1123 label.
	Name string `yaml:"name" doc:"Name of the system (DNS-1123 label)."`
	// Include splits the catalogue over several files.
	Include      []string                     `yaml:"include" doc:"Files (or glob patterns) below this file's folder that add environments, config, resources or services."`
	Environments map[string]*Environment      `yaml:"environments" doc:"Deployment environments by name; 'dev' is the local Compose environment."`
	Config       map[string]map[string]string `yaml:"config" doc:"Central config groups: name to environment variables, shared by the services that list them."`
	Resources    map[string]*Resource         `yaml:"resources" doc:"Backing services (databases, caches, brokers) by name."`
	Services     map[string]*Service          `yaml:"services" doc:"Application services by name."`
	// Owners, when set, makes render write a CODEOWNERS fragment.
	Owners *Owners `yaml:"owners" doc:"Code owners of the rendered tree; render writes DIR/CODEOWNERS.tandem."`

	// File is the path the catalogue was loaded from, used in error messages.
	File string `yaml:"-"`
	// positions maps a field path (services.orders.uses[1]) to where it was
	// written, so that validation can point at the offending line.
	positions map[string]Position
}

// DevEnvironment is the environment that the Compose renderer and `tandem up`
// use. It exists even when the catalogue does not declare it.
const DevEnvironment = "dev"

// Environment holds what differs per deployment target.
type Environment struct {
	// Namespace defaults to "<name>-<environment>".
	Namespace string `yaml:"namespace" doc:"Kubernetes namespace; defaults to <name>-<environment>."`
	// Replicas is the default for services that do not set their own.
	Replicas *int         `yaml:"replicas" doc:"Default replicas for services that set none (default 1)."`
	Image    ImageDefault `yaml:"image" doc:"Registry and tag for services built from source."`
	// Config overrides values of central config groups in this environment.
	Config map[string]map[string]string `yaml:"config" doc:"Per-group overrides of config values in this environment."`
	// Ingress publishes the services' public ports under one host.
	Ingress *Ingress `yaml:"ingress" doc:"Public routes of this environment: an Ingress per service with public ports."`
}

// Ingress says how an environment's public ports are reached from outside
// the cluster.
type Ingress struct {
	Host      string `yaml:"host" doc:"Host name the public routes answer on, e.g. shop.example.com."`
	Class     string `yaml:"class" doc:"IngressClass name; empty for the cluster's default class."`
	TLSSecret string `yaml:"tlsSecret" doc:"Secret holding the TLS certificate of host; empty serves plain HTTP."`
	// ControllerNamespace is where the ingress controller's pods run; the
	// NetworkPolicy of a public service lets them in and nothing else.
	ControllerNamespace string `yaml:"controllerNamespace" doc:"Namespace of the ingress controller's pods, allowed through the NetworkPolicy; default ingress-nginx."`
}

// ImageDefault says where the images of services with `build:` are pushed
// for an environment: REGISTRY/SERVICE:TAG.
type ImageDefault struct {
	Registry string `yaml:"registry" doc:"Registry and path prefix, e.g. registry.example.com/shop."`
	Tag      string `yaml:"tag" doc:"Tag of built images in this environment."`
}

// Resource is a backing service that tandem runs as a container in dev and
// references as a managed service elsewhere.
type Resource struct {
	Kind    string `yaml:"kind" doc:"What the resource is."`
	Version string `yaml:"version" doc:"Image tag of the official image in dev; defaults per kind."`
	// Owner is the one service that owns the data; empty means shared.
	Owner string `yaml:"owner" doc:"The service that owns this resource's data; empty for shared resources."`
	// Database and User apply to SQL kinds; both default to the owner's name,
	// else the resource's name.
	Database string   `yaml:"database" doc:"Database name (SQL kinds); defaults to the owner's or the resource's name."`
	User     string   `yaml:"user" doc:"Database user (SQL kinds); defaults like database. For mysql and mariadb, root makes the users log in as the server's root user, whose password is then the resource's password, for apps that connect as root; the server then has no user of its own. E.g. orders_rw, or root."`
	Args     []string `yaml:"args" doc:"Options of the server beyond those tandem gives its kind, in dev and where it runs in the cluster; the first starts with -, so that the official image's entrypoint still starts the server with them. E.g. [--transaction-isolation=READ-COMMITTED], or [--save, 60 1000] for redis."`
	// Outside dev a resource is a managed service by default: users read its
	// connection Secret. InCluster and Endpoints change that per environment.
	InCluster []string          `yaml:"inCluster" doc:"Environments (not dev) where the resource runs in the cluster as a StatefulSet instead of being a managed service."`
	Endpoints map[string]string `yaml:"endpoints" doc:"Per environment, the host of the managed service; becomes an ExternalName Service named after the resource."`
	Storage   string            `yaml:"storage" doc:"Volume size when the resource runs in the cluster; default 10Gi."`
	// Resources size the server where it runs in the cluster; in dev no
	// container gets limits (services do not either), so that a laptop
	// runs what the catalogue lists.
	Resources *Resources                   `yaml:"resources" doc:"CPU and memory requests and limits of the server where it runs in the cluster (inCluster); default 250m CPU (limit 1) and 512Mi memory. storage here is the container's ephemeral storage, not the volume. Not applied in dev, like a service's. E.g. {cpu: 100m, memory: 256Mi}."`
	Overrides map[string]*ResourceOverride `yaml:"overrides" doc:"Per-environment settings of the resource, for environments where it runs in the cluster, e.g. {staging: {resources: {cpu: 50m, memory: 128Mi}}}."`
}

// ResourceOverride changes a backing resource in one environment.
type ResourceOverride struct {
	Resources *Resources `yaml:"resources" doc:"Requests and limits in this environment, over the resource's own, e.g. {cpu: 50m, memory: 256Mi} for a small staging node."`
}

// Service is one application service.
type Service struct {
	Image   string   `yaml:"image" doc:"Prebuilt image reference; exclusive with build."`
	Build   string   `yaml:"build" doc:"Build context relative to the catalogue; exclusive with image."`
	Command []string `yaml:"command" doc:"Entrypoint override."`
	Args    []string `yaml:"args" doc:"Arguments to the entrypoint."`
	Domain  string   `yaml:"domain" doc:"Bounded context the service belongs to."`
	// Environments keeps dev-only tools out of clusters and cluster-only
	// services out of the Compose file.
	Environments []string `yaml:"environments" doc:"Environments the service exists in; default every one. E.g. [dev] for a mail catcher or load generator that must never reach a cluster, [dev, staging] to keep it out of prod. Outside dev a service that is not in every cluster environment is added by the overlays of those it is in, not by the base."`
	Ports        []Port   `yaml:"ports" doc:"Named ports the service listens on."`
	// Env holds the service's own variables; they win over config groups.
	Env     map[string]string `yaml:"env" doc:"Service environment variables; override config groups."`
	Config  []string          `yaml:"config" doc:"Config groups whose variables the service receives; two may not set the same variable."`
	Secrets []string          `yaml:"secrets" doc:"Names of secret variables: from .tandem/dev.env in dev, from the Secret <service>-secrets elsewhere."`
	// Address is for an application that announces itself, e.g. to a
	// registry: its own address, as others reach it, in its form.
	Address map[string]string `yaml:"address" doc:"Variables that carry the service's own address as others reach it, with their form as in uses' env, e.g. HOST_NAME: host for an app that registers itself."`
	Uses    []Use             `yaml:"uses" doc:"Services and resources this service depends on: a name, or a mapping that also says which variables carry the address and in what form. E.g. [orders, {name: catalog, env: {CATALOG_ADDR: host:port}}]."`
	// Calls stands in for the source scan where check cannot read the
	// code: without it, deleting a uses edge of a service with image:
	// would pass check and fail only in a cluster.
	Calls     []string   `yaml:"calls" doc:"The services and resources the service's code calls where check cannot read that code: addresses built into its image (http://catalogue), defaults it falls back on (mongodb://carts-db:27017/data), or names it looks up at run time (through a registry). A URL, host:port or bare name of a service or resource of the catalogue. Nothing is rendered from it: check holds each to a uses edge, so deleting the edge is a finding, as it is by itself for a service built from source whose code reads the edge's variables. E.g. [http://catalogue, carts-db:27017]."`
	Health    *Health    `yaml:"health" doc:"How to tell the service is healthy."`
	Resources *Resources `yaml:"resources" doc:"CPU and memory requests and limits."`
	Replicas  *int       `yaml:"replicas" doc:"Replicas, over the environment default."`
	Autoscale *Autoscale `yaml:"autoscale" doc:"Horizontal autoscaling outside dev; exclusive with replicas."`
	// OneShot is for a task with its own image, where a job would run
	// the image of a service.
	OneShot   bool            `yaml:"oneShot" doc:"The service runs to completion instead of serving: in dev a Compose service with restart: \"no\" that its users wait for (service_completed_successfully); in a cluster a Job, with no Deployment or Service, which its users do not wait for, named NAME-HASH after what it runs, so that a new version (a new image) is a new Job, as a Job's pod template cannot change. Where it does not exist, using it means nothing. It has no ports, health, replicas, autoscale or jobs. E.g. a seed task only in dev: {image: registry.example.com/seed:1.0, oneShot: true, environments: [dev], uses: [db]}."`
	OnRequest bool            `yaml:"onRequest" doc:"In dev, the service starts only when tandem up names it, or names another service on request that uses it, as a service of a Compose profile does: an admin tool or a load generator that nobody needs every day. Compose puts it in the profile on-request. Clusters run it like any other. A service that is not on request may not use it in dev, since Compose would refuse to start that service without it. E.g. {image: adminer:4, onRequest: true, environments: [dev], uses: [db]}."`
	Jobs      map[string]*Job `yaml:"jobs" doc:"Jobs of the service, run with its image, settings and uses: before it starts (before: start) or on a schedule."`
	Security  *Security       `yaml:"security" doc:"Relaxations of the secure defaults; each one is visible here and in review."`
	Volumes   []Volume        `yaml:"volumes" doc:"Folders and files the container mounts: persistent data, read-only config files from the repository, scratch space, and dev-only source folders. E.g. [{path: /data, persistent: 10Gi}]."`
	// TerminationGracePeriodSeconds is how long a stopping service may
	// drain before it is killed; unset keeps each platform's own default.
	TerminationGracePeriodSeconds *int         `yaml:"terminationGracePeriodSeconds" doc:"Seconds a stopping pod (of the service and its jobs) has between SIGTERM and SIGKILL, 1 to 86400; default Kubernetes' 30. In dev, Compose's stop_grace_period (default 10s there). E.g. 60 for a service that drains long requests. E.g. 120 in prod."`
	Annotations                   *Annotations `yaml:"annotations" doc:"Extra annotations, outside dev only: Compose has no annotations, so dev ignores them."`
	Labels                        *Labels      `yaml:"labels" doc:"Extra labels of the service's pods and Kubernetes Service. Keys tandem sets (app.kubernetes.io/name, part-of and managed-by, tandem.dev/...) are refused, so selectors never change."`
	// ServiceType exposes the Service outside the cluster where a team
	// has no ingress for a port, or no HTTP to route.
	ServiceType string               `yaml:"serviceType" doc:"Type of the Kubernetes Service outside dev: ClusterIP (default), NodePort or LoadBalancer; the latter two admit outside clients to the public ports through the NetworkPolicy. E.g. LoadBalancer."`
	Overrides   map[string]*Override `yaml:"overrides" doc:"Per-environment overrides, winning over everything else."`
}

// Annotations are a service's own annotations, by the object that carries
// them. Keys and values follow Kubernetes' rules for annotations.
type Annotations struct {
	Pod     map[string]string `yaml:"pod" doc:"Annotations of the pods of the service and its jobs, e.g. {prometheus.io/scrape: \"true\"}."`
	Service map[string]string `yaml:"service" doc:"Annotations of the service's Kubernetes Service, e.g. {service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"}."`
}

// Labels are a service's own labels, by the object that carries them. Keys
// tandem sets itself (app.kubernetes.io/name, part-of, managed-by and any
// tandem.dev/ key) are refused, since selectors and policies rely on them.
type Labels struct {
	Pod     map[string]string `yaml:"pod" doc:"Labels of the pods of the service and its jobs; in dev, the container's labels. E.g. {team: payments}."`
	Service map[string]string `yaml:"service" doc:"Labels of the service's Kubernetes Service, e.g. {team: payments}."`
}

// Use is one entry of a service's uses. Written as a bare name it gives
// the service the target's default variables (NAME_URL of a service, the
// connection settings of a resource); written as a mapping it can also
// name the variables the application reads the address from, in the form
// it expects, since real applications choose their own names and forms.
type Use struct {
	Name string `yaml:"name" doc:"The service or resource used, e.g. catalog."`
	Port string `yaml:"port" doc:"Port of a used service the address names; default the port named http, else the first. E.g. grpc."`
	// Env maps a variable to its form; AddressForms lists the shorthands.
	Env map[string]string `yaml:"env" doc:"Variables that carry the address, with their form: url, host:port, host, port, or a template over {scheme}, {host}, {port} and {port:NAME}, e.g. PRODUCT_CATALOG_SERVICE_ADDR: host:port. For a used service they replace NAME_URL, and env: {} sets none, for an app that finds the service by itself; a resource's connection settings stay."`
}

// Volume is a folder or file a service's container mounts, of one of five
// kinds that mean the same in dev and in clusters.
type Volume struct {
	Path string `yaml:"path" doc:"Absolute path in the container, e.g. /data."`
	Name string `yaml:"name" doc:"Name of the volume (DNS-1123 label); default made from path, e.g. var-lib-app for /var/lib/app."`
	// Persistent data outlives pods; one pod writes it at a time.
	Persistent string   `yaml:"persistent" doc:"Persistent data of this size, e.g. 10Gi: a PersistentVolumeClaim in clusters, where the service then runs one pod that is replaced, never rolled (one writer); a named volume in dev."`
	Config     string   `yaml:"config" doc:"A file or folder of files in the repository, relative to the catalogue, mounted read-only: a ConfigMap in clusters (a change restarts the pods), a read-only bind mount in dev. E.g. ./config/nginx.conf."`
	Scratch    string   `yaml:"scratch" doc:"Scratch space that lives as long as the pod, with its size limit, e.g. 1Gi, or true for none: emptyDir in clusters, tmpfs in dev. A read-only root filesystem needs it wherever the app writes."`
	Source     string   `yaml:"source" doc:"A folder in the repository, relative to the catalogue, bind-mounted writable in dev only, for live reload; clusters run the image's own files. E.g. ./services/web/src."`
	Keep       []string `yaml:"keep" doc:"Folders below a source folder's path that keep the image's own files in dev, where the source mount would hide them, e.g. [node_modules] for the packages the image installed: an anonymous volume each, which Docker fills from the image when it creates the container; a recreated container keeps the old files, so after the image's change there run tandem down first. Only with source."`
	Secret     string   `yaml:"secret" doc:"A secret as a read-only file, for an app that reads a password from a file rather than a variable: one of the service's secrets, or the password variable of a resource it uses (ORDERS_DB_PASSWORD). In clusters a file from the service's Secret, or from the resource's connection Secret, mounted by subPath, so that a changed Secret reaches new pods only; in dev a read-only bind mount of .tandem/secrets/NAME, which render writes from the dev env file. E.g. {path: /run/secrets/db-password, secret: DB_PASSWORD}."`

	// files holds a config volume's files by name, read when the
	// catalogue is loaded, so that rendering stays pure.
	files        map[string]string
	configIsFile bool
}

// Autoscale bounds a HorizontalPodAutoscaler.
type Autoscale struct {
	Min int `yaml:"min" doc:"Fewest replicas; default the environment's replicas (at most max)."`
	Max int `yaml:"max" doc:"Most replicas."`
	CPU int `yaml:"cpu" doc:"Target average CPU use in percent of the request; default 80."`
}

// JobBeforeStart is the one moment a non-scheduled job runs.
const JobBeforeStart = "start"

// Job is a one-shot or scheduled run of the service's image.
type Job struct {
	Command  []string `yaml:"command" doc:"Entrypoint of the job's container; default the service's command."`
	Args     []string `yaml:"args" doc:"Arguments to the entrypoint."`
	Before   string   `yaml:"before" doc:"'start': in dev, a one-shot service that must complete before the service starts; in a cluster, a Job applied with the Deployment, which does not wait for it, named SERVICE-JOB-HASH after what it runs, so that a new version (a new image) is a new Job that runs once, as a Job's pod template cannot change."`
	Schedule string   `yaml:"schedule" doc:"Cron schedule (five fields or @daily and the like): a CronJob outside dev; in dev run it with docker compose run."`
}

// Security relaxes the defaults every pod gets: a non-root user, a
// read-only root filesystem, no capabilities, no Kubernetes API token.
type Security struct {
	RunAsUser              int      `yaml:"runAsUser" doc:"User and group id the containers run as; default 65532."`
	RunAsRoot              bool     `yaml:"runAsRoot" doc:"Run as root; the restricted Pod Security Standard rejects such pods."`
	WritableRootFilesystem bool     `yaml:"writableRootFilesystem" doc:"Let the container write outside /tmp."`
	Capabilities           []string `yaml:"capabilities" doc:"Linux capabilities added back after all are dropped, e.g. NET_BIND_SERVICE."`
	ServiceAccountToken    bool     `yaml:"serviceAccountToken" doc:"Mount a Kubernetes API token for the service's ServiceAccount."`
}

// Port is a named port a service listens on.
type Port struct {
	Name string `yaml:"name" doc:"Port name (IANA service name, at most 15 characters)."`
	Port int    `yaml:"port" doc:"Container port."`
	// Public ports are published on the host in dev.
	Public bool `yaml:"public" doc:"Reachable from outside the system; published on the host in dev."`
	// HostPort is the published port in dev; it defaults to Port.
	HostPort int `yaml:"hostPort" doc:"Host port in dev for public ports; defaults to port."`
	// HostIP narrows where dev publishes the port, e.g. a debugger's
	// port on the loopback address only.
	HostIP string `yaml:"hostIP" doc:"Host address a public port is published on in dev, e.g. 127.0.0.1; default every address."`
	// ServicePort is what other services connect to in a cluster; Compose
	// has no such indirection, so in dev they reach the container port.
	ServicePort int    `yaml:"servicePort" doc:"Port of the Kubernetes Service, when it differs from the container port; default port. E.g. 80 for an app listening on 8080."`
	Protocol    string `yaml:"protocol" doc:"What the port speaks: http, https, grpc, tcp or udp; default grpc for a port named grpc or grpc-*, https for https or https-*, else http. Only http and https ports become ingress routes. E.g. udp."`
	// NodePort pins where a NodePort or LoadBalancer Service takes the
	// port on every node, for firewalls and load balancers set up by hand.
	NodePort int `yaml:"nodePort" doc:"Node port (30000-32767) of a public port where the service's Service is a NodePort or LoadBalancer; default one Kubernetes picks. E.g. 30080."`
	// Path is the route's prefix under the environment's ingress host.
	Path string `yaml:"path" doc:"URL path prefix of a public port's route outside dev; default /."`
	// Environments is how a debugger's port stays out of the clusters.
	// The base Deployment and Service are shared by every cluster
	// environment, so a port is in all of the service's or in none.
	Environments []string `yaml:"environments" doc:"Environments the port exists in; default every environment of the service. E.g. [dev] for a debugger's port: published in dev, but in no cluster's container ports, Service or NetworkPolicy. A port is in every cluster environment of its service or in none."`
}

// Health declares one check that both renderers translate faithfully:
// exactly one kind (http, tcp, grpc or command), the port it asks and its
// timing. Readiness asks it; liveness asks a question a dependency's
// outage cannot fail (see objects' probes), unless liveness says otherwise.
type Health struct {
	HTTP    string            `yaml:"http" doc:"HTTP path that answers 2xx or 3xx when healthy, e.g. /healthz."`
	Headers map[string]string `yaml:"headers" doc:"Request headers of the http check, e.g. {X-Probe: tandem}."`
	TCP     bool              `yaml:"tcp" doc:"Healthy when the port accepts a TCP connection: tcp: true."`
	GRPC    bool              `yaml:"grpc" doc:"Healthy when the standard grpc.health.v1 Check on the port answers SERVING: grpc: true."`
	// GRPCService is empty for the server as a whole, as in the protocol.
	GRPCService string   `yaml:"grpcService" doc:"Service name sent in the grpc check, e.g. hipstershop.CartService; default empty, the server as a whole."`
	Command     []string `yaml:"command" doc:"Command run in the container; exit 0 means healthy, e.g. [pg_isready, -q]."`
	Port        string   `yaml:"port" doc:"Name of the port the http, tcp or grpc check uses; default the first port."`
	// Unset timings keep each renderer's defaults (Kubernetes: every 5s,
	// 3 failures; Compose: every 2s, 5s timeout, 30 failures), which is
	// why they are pointers: 0 is an error, not a default.
	IntervalSeconds  *int `yaml:"intervalSeconds" doc:"Seconds between checks (1-3600); default 5 in Kubernetes, 2 in Compose. Liveness runs every 10 seconds, or every intervalSeconds if longer. E.g. 10."`
	TimeoutSeconds   *int `yaml:"timeoutSeconds" doc:"Seconds one check may take (1-3600); default 1 in Kubernetes, 5 in Compose. Liveness takes the same. E.g. 3."`
	FailureThreshold *int `yaml:"failureThreshold" doc:"Failures in a row (1-1000) before unready, or for liveness restarted; default 3 in Kubernetes (a command check's derived liveness 6), 30 in Compose. E.g. 5."`
	// StartupSeconds gives a slow starter time before liveness counts.
	StartupSeconds int `yaml:"startupSeconds" doc:"How long the service may take to start before liveness counts; default 60 (Compose: start_period, when set)."`
	// Liveness replaces the liveness probe derived from the check; it has
	// no startupSeconds or liveness of its own.
	Liveness *Health `yaml:"liveness" doc:"Liveness probe in Kubernetes instead of the one derived from the check (TCP on the port for http, tcp and grpc; for command the same command, 6 failures): a check of its own, e.g. {http: /livez}, or only timings for the derived one, e.g. {failureThreshold: 6}. It has the fields of health but startupSeconds and liveness. Compose runs the readiness check only."`
}

// Kind names the kind of a check: "http", "tcp", "grpc", "command", or ""
// when none is set.
func (h *Health) Kind() string {
	switch {
	case h.HTTP != "":
		return HealthHTTP
	case h.TCP:
		return HealthTCP
	case h.GRPC:
		return HealthGRPC
	case len(h.Command) > 0:
		return HealthCommand
	}
	return ""
}

// DerivedLivenessKind is the kind of the liveness check when health sets
// none: a question a dependency's outage cannot fail. HTTP and gRPC
// checks may well ask about dependencies, so liveness asks whether the
// port still accepts connections; a TCP check already asks only that; a
// command has only itself to ask.
func (h *Health) DerivedLivenessKind() string {
	switch h.Kind() {
	case HealthCommand:
		return HealthCommand
	case "":
		return ""
	}
	return HealthTCP
}

// The kinds of health check.
const (
	HealthHTTP    = "http"
	HealthTCP     = "tcp"
	HealthGRPC    = "grpc"
	HealthCommand = "command"
)

// Resources are compute requests; limits default to the requests.
type Resources struct {
	CPU     string          `yaml:"cpu" doc:"CPU request, e.g. 250m."`
	Memory  string          `yaml:"memory" doc:"Memory request, e.g. 256Mi."`
	Storage string          `yaml:"storage" doc:"Ephemeral storage request (writable layer, logs, /tmp), e.g. 1Gi."`
	Limits  *ResourceLimits `yaml:"limits" doc:"Limits; each defaults to its request."`
}

// ResourceLimits caps what a container may use.
type ResourceLimits struct {
	CPU     string `yaml:"cpu" doc:"CPU limit."`
	Memory  string `yaml:"memory" doc:"Memory limit."`
	Storage string `yaml:"storage" doc:"Ephemeral storage limit."`
}

// Override changes a service in one environment.
type Override struct {
	Image string `yaml:"image" doc:"Full image reference in this environment."`
	// Command and Args replace the service's lists, each on its own, as a
	// debugger entrypoint in dev wraps the same arguments.
	Command   []string          `yaml:"command" doc:"Entrypoint of the service's container in this environment, over the service's command; its jobs keep theirs. E.g. in dev {command: [dlv, exec, /app/orders, --listen=:40000, --headless, --continue, --accept-multiclient, --]}."`
	Args      []string          `yaml:"args" doc:"Arguments to the entrypoint in this environment, over the service's args, e.g. {args: [--log-level, debug]}."`
	Replicas  *int              `yaml:"replicas" doc:"Replicas in this environment; turns autoscaling off here."`
	Autoscale *Autoscale        `yaml:"autoscale" doc:"Autoscaling in this environment; exclusive with replicas."`
	Resources *Resources        `yaml:"resources" doc:"Requests and limits in this environment."`
	Env       map[string]string `yaml:"env" doc:"Environment variables in this environment, winning over all others."`
	// A pod's grace period can differ per environment: a production pod
	// behind a load balancer drains longer than a staging one.
	TerminationGracePeriodSeconds *int   `yaml:"terminationGracePeriodSeconds" doc:"Grace period of stopping pods in this environment, over the service's."`
	ServiceType                   string `yaml:"serviceType" doc:"Type of the Kubernetes Service in this environment, e.g. LoadBalancer in prod only."`
}

// Owners names who reviews which part of the rendered tree: generated files
// change with the catalogue, platform patches and components belong to the
// platform team.
type Owners struct {
	Generated []string `yaml:"generated" doc:"Owners of generated files (those who own tandem.yaml), e.g. @org/app-devs."`
	Platform  []string `yaml:"platform" doc:"Owners of overlays/*/patches/ and components/, e.g. @org/platform."`
}
