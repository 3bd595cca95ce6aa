// Package overlays renders one kustomize overlay per deployment
// environment (Render) and decides what in it differs from the base; the
// objects themselves come from package objects. Per environment it writes:
//
//   - the namespace, and the platform team's patches and components, in
//     the overlay's kustomization.yaml. Files under overlays/ENV/patches/
//     belong to the platform team: Render lists them and never produces
//     them.
//   - per service, in overlays/ENV/services/NAME/: the image as a
//     kustomize image setting; a Deployment patch with replicas,
//     resources, the env entries that differ from the base (changedEnv)
//     and the spread of scaled pods; and in resources.yaml what only an
//     environment adds (serviceObjects): a PodDisruptionBudget where more
//     than one pod runs, an autoscaler, the service's jobs, and its
//     Ingress with the NetworkPolicy that lets the ingress controller in.
//   - per backing resource, in overlays/ENV/resources/NAME/
//     (renderResource): a StatefulSet with its Service and NetworkPolicy
//     where the resource runs in the cluster, or an ExternalName Service
//     where it has an endpoint.
//   - the config groups' values this environment overrides, as ConfigMap
//     patches in overlays/ENV/config/.
package overlays
