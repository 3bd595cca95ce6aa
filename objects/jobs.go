package objects

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
)

// OneShot runs a one-shot service to completion: a Job named after the
// service whose pods carry the service's labels, so that the
// NetworkPolicies of what it uses let it in.
func OneShot(c *catalogue.Catalogue, w *catalogue.Workload) *batchv1.Job {
	spec := podSpec(w, container(w), false)
	spec.RestartPolicy = corev1.RestartPolicyNever
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: objectMeta(c, w.Name),
		Spec: batchv1.JobSpec{BackoffLimit: ptr.To(int32(jobBackoffLimit)), Template: corev1.PodTemplateSpec{
			ObjectMeta: podMeta(podLabels(c, w.Name), w.Service),
			Spec:       spec,
		}},
	}
}

// OneShotPatch is what an environment sets over a one-shot's base Job:
// what DeploymentPatch sets but replicas and spreading.
func OneShotPatch(w *catalogue.Workload, env []catalogue.EnvVar) *batchv1.Job {
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: w.Name},
		Spec:       batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: podPatch(w, env)}},
	}
}

// VersionedName is the name a cluster gives job: its name and a hash of
// the whole Job. A Job's pod template cannot change once it is created,
// so applying a changed one (a new image) under the old name fails; under
// a name of its own it is a new Job, which runs the new version once.
func VersionedName(job *batchv1.Job) string {
	data, err := json.Marshal(job)
	if err != nil {
		panic(err) // a Job of plain fields always encodes
	}
	sum := sha256.Sum256(data)
	return job.Name + "-" + hex.EncodeToString(sum[:])[:catalogue.JobVersionLength-1]
}

// jobBackoffLimit is how often a failed Job's pod is retried.
const jobBackoffLimit = 3

// Job runs the service's job name with the service's settings and
// identity, and with image: a Job, or a CronJob when the job has a
// schedule.
func Job(c *catalogue.Catalogue, w *catalogue.Workload, name, image string) any {
	j := w.Service.Jobs[name]
	full := catalogue.JobName(w.Name, name)
	ctr := container(w)
	ctr.Name = full
	ctr.Image = image
	// The job runs the service's command unless it names its own; an
	// environment's command is the service container's alone, since a
	// debugger entrypoint that waits for a client would hold the job up.
	ctr.Command, ctr.Args = slices.Clone(w.Service.Command), slices.Clone(j.Args)
	if len(j.Command) > 0 {
		ctr.Command = slices.Clone(j.Command)
	}
	spec := podSpec(w, ctr, true)
	spec.RestartPolicy = corev1.RestartPolicyNever
	template := corev1.PodTemplateSpec{
		ObjectMeta: podMeta(jobLabels(c, w.Name, name), w.Service),
		Spec:       spec,
	}
	jobSpec := batchv1.JobSpec{BackoffLimit: ptr.To(int32(jobBackoffLimit)), Template: template}
	meta := metav1.ObjectMeta{Name: full, Labels: jobLabels(c, w.Name, name)}
	if j.Schedule == "" {
		return &batchv1.Job{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"}, ObjectMeta: meta, Spec: jobSpec}
	}
	return &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: meta,
		Spec: batchv1.CronJobSpec{
			Schedule: j.Schedule,
			// A run that could not start within five minutes is skipped,
			// and runs never overlap: both are what a cleanup or report
			// job expects and what a missed node or a slow run breaks.
			StartingDeadlineSeconds: ptr.To(int64(300)),
			ConcurrencyPolicy:       batchv1.ForbidConcurrent,
			JobTemplate:             batchv1.JobTemplateSpec{Spec: jobSpec},
		},
	}
}
