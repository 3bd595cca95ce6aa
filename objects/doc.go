// Package objects makes every Kubernetes object tandem renders, as typed
// k8s.io/api values, from the resolved catalogue. It decides what an
// object contains; render (the base) and overlays (per environment)
// decide which objects a file holds and where it goes, and package
// manifest prints them.
//
// Where each object and field is made:
//
//   - workloads.go: the service's Deployment and its ServiceAccount; the
//     Deployment patch an environment applies (DeploymentPatch: replicas,
//     topologySpreadConstraints and affinity of scaled pods); every
//     service container (image, command, args, imagePullPolicy, ports,
//     resources, the /tmp volume) and pod spec (serviceAccountName,
//     automountServiceAccountToken, terminationGracePeriodSeconds); the
//     securityContext of every pod and
//     container, the in-cluster resources' too; readiness, liveness and
//     startup probes of services.
//   - config.go: the ConfigMap of each config group; env and envFrom of
//     every service container, where secrets and connection settings
//     become Secret references.
//   - services.go: the Service of a service with ports, and the Ingress of
//     a service's public ports.
//   - network.go: every NetworkPolicy: default deny, one per target
//     letting its users in, and the ingress controller's.
//   - jobs.go: a service's Job, or CronJob when it has a schedule.
//   - scaling.go: PodDisruptionBudget and HorizontalPodAutoscaler.
//   - resources.go: backing resources: the StatefulSet (container, probes,
//     volumes, volumeClaimTemplates) and headless Service of one that runs
//     in the cluster, and the ExternalName Service of one that does not.
//   - labels.go: the labels and selectors of every object, the label
//     keys (LabelName, LabelService) others read back, and the metadata of
//     pod templates, where a service's own labels and annotations join
//     tandem's.
//
// The package imports only catalogue, so that both render and overlays
// can use it without importing each other.
package objects
