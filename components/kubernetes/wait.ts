// How Pulumi's Kubernetes provider is told when a custom resource is done: its operator reports the Ready condition.

/** Annotation making Pulumi wait until the object's Ready condition is True (cert-manager, External Secrets). */
export const WAIT_FOR_READY = { "pulumi.com/waitFor": "condition=Ready" } as const;
