// The end-to-end check as a Kubernetes Job, for a stack on an existing cluster: the same script as over SSH,
// mounted from a Secret (it carries the API key), run once per change; Pulumi waits for the Job to complete.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { SMOKE_JOB } from "./facts";
import { resourceRequirements } from "../kubernetes/resources";
import { externalSecretsApi } from "./script";

/** All the Job's ServiceAccount may do: list ExternalSecrets and Nodes (what the check reads; status only, no secret value). */
export function smokeClusterRoleRules(externalSecretsApiVersion: string): k8s.types.input.rbac.v1.PolicyRule[] {
    const externalSecrets = externalSecretsApi(externalSecretsApiVersion);
    return [
        { apiGroups: [externalSecrets.group], resources: [externalSecrets.resource], verbs: ["list"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["list"] },
    ];
}

/** The Job's spec: one pod, never retried (the script retries itself until its deadline), then failed. */
export function smokeJobSpec(args: {
    secretName: pulumi.Input<string>;
    serviceAccountName: pulumi.Input<string>;
    timeoutSeconds: number;
    triggers: pulumi.Input<string>;
    /** The image: bash and curl in it, already on the nodes (see SmokeCheckArgs.jobImage). */
    image: string;
}): k8s.types.input.batch.v1.JobSpec {
    return {
        backoffLimit: 0,
        activeDeadlineSeconds: args.timeoutSeconds + SMOKE_JOB.graceSeconds,
        template: {
            // A change of a version or setting changes the template, which replaces the Job: the check runs again.
            metadata: { annotations: { "homelab/smoke-check-triggers": args.triggers } },
            spec: {
                restartPolicy: "Never",
                // The check lists ExternalSecrets through the API with this account's token.
                serviceAccountName: args.serviceAccountName,
                automountServiceAccountToken: true,
                // fsGroup makes the mounted script readable by the non-root user.
                securityContext: { runAsNonRoot: true, runAsUser: SMOKE_JOB.uid, fsGroup: SMOKE_JOB.uid, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "smoke-check",
                        image: args.image,
                        command: ["bash", `${SMOKE_JOB.mountPath}/${SMOKE_JOB.scriptKey}`],
                        resources: resourceRequirements(SMOKE_JOB.resources),
                        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                        volumeMounts: [{ name: "script", mountPath: SMOKE_JOB.mountPath, readOnly: true }],
                    },
                ],
                volumes: [{ name: "script", secret: { secretName: args.secretName, defaultMode: 0o440 } }],
            },
        },
    };
}
