// Values of the openbao chart 0.29.2: HA on Raft, one pod per node, the static seal, self-init on pod 0 only,
// a ClusterIP UI Service on the leader. Pure builder; every path is one the chart's templates read (see the test).
import type * as pulumi from "@pulumi/pulumi";
import { STORAGE_CLASS } from "../defaults";
import { VAULT } from "./facts";
import { resourceRequirements } from "../kubernetes/resources";
import { selfInitArgs, serverConfig } from "./openbaoConfig";

export interface OpenbaoValuesArgs {
    /** The Secret holding one `<id>.key` file per seal key. */
    sealKeySecret: pulumi.Input<string>;
    /** The Secret holding the admin password file. */
    adminSecret: pulumi.Input<string>;
    /** The ConfigMap holding the self-init file and pod 0's guard. */
    selfInitConfigMap: pulumi.Input<string>;
    /** StorageClass of the Raft volumes (homelab:storageClass). */
    storageClass?: string;
}

/** `registry/repository:tag` of VAULT.image, as the chart takes it. */
function image(): { registry: string; repository: string; tag: string } {
    const [, registry, repository, tag] = /^([^/]+)\/(.+):([^:]+)$/.exec(VAULT.image) as RegExpExecArray;
    return { registry, repository, tag };
}

/** What PSS `restricted` asks of a pod and its containers; the chart's own default lacks `capabilities.drop`. */
export function openbaoSecurityContext() {
    return {
        pod: { runAsNonRoot: true, runAsUser: VAULT.uid, runAsGroup: VAULT.gid, fsGroup: VAULT.gid, seccompProfile: { type: "RuntimeDefault" } },
        container: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    };
}

export function openbaoValues(args: OpenbaoValuesArgs) {
    const mount = (name: string, mountPath: string) => ({ name, mountPath, readOnly: true });
    return {
        // The chart's default already; said here because TLS is terminated at the ingress gateway (issue 11).
        global: { tlsDisable: true },
        // External Secrets does the syncing: no agent injector webhook.
        injector: { enabled: false },
        server: {
            image: image(),
            resources: resourceRequirements(VAULT.resources),
            // The seal unseals every pod by itself, so a rolling restart is safe and Helm waits for each pod Ready
            // (Helm skips the wait for an OnDelete StatefulSet, the chart's default).
            updateStrategyType: "RollingUpdate",
            // The chart's default, said here because the self-init guard depends on it: pods 1 and 2 are created
            // only once pod 0 is Ready, so on a first install (or after a failed one) no peer answers pod 0.
            podManagementPolicy: "OrderedReady",
            // The config's checksum on the pods: a changed config (a new seal key) rolls them.
            configAnnotation: true,
            dataStorage: { enabled: true, size: VAULT.dataVolume, mountPath: VAULT.dataPath, storageClass: args.storageClass ?? STORAGE_CLASS },
            ha: {
                enabled: true,
                replicas: VAULT.replicas,
                raft: { enabled: true, setNodeId: true, config: serverConfig() },
                // One pod at a time: two of three keep Raft's quorum.
                disruptionBudget: { enabled: true, maxUnavailable: 1 },
            },
            extraArgs: selfInitArgs(),
            // Readable by the pod's group (fsGroup) only.
            volumes: [
                { name: "seal-keys", secret: { secretName: args.sealKeySecret, defaultMode: 0o440 } },
                { name: "admin-password", secret: { secretName: args.adminSecret, defaultMode: 0o440 } },
                { name: "self-init", configMap: { name: args.selfInitConfigMap } },
            ],
            volumeMounts: [mount("seal-keys", VAULT.sealKeyDir), mount("admin-password", VAULT.adminPasswordDir), mount("self-init", VAULT.selfInitDir)],
            statefulSet: { securityContext: openbaoSecurityContext() },
        },
        // The UI and API on the leader only, in the cluster: the ingress gateway publishes it (issue 11).
        ui: { enabled: true, serviceType: "ClusterIP", externalPort: VAULT.apiPort, targetPort: VAULT.apiPort, activeOpenbaoPodOnly: true },
    };
}
