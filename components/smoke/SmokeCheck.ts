import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SMOKE_JOB } from "./facts";
import { namespace } from "../kubernetes/namespace";
import { SMOKE_NAMESPACE } from "./part";
import { smokeClusterRoleRules, smokeJobSpec } from "./job";
import { smokeCheckScript, type ClusterAccess } from "./script";

export interface SmokeCheckArgs {
    /**
     * SSH connection to a node: the check runs inside the lab's network. Without one (a cluster not of ours) it
     * runs as a Kubernetes Job, through the provider in the component's options.
     */
    connection?: command.types.input.remote.ConnectionArgs;
    shlinkUrl: pulumi.Input<string>;
    /** Shlink's plain-HTTP door (answers 301 to HTTPS). */
    shlinkHttpUrl: pulumi.Input<string>;
    /** The lab CA's certificate (PEM) every HTTPS call verifies against. */
    caCertificate: pulumi.Input<string>;
    apiKey: pulumi.Input<string>;
    grafanaUrl: pulumi.Input<string>;
    kialiHealthUrl: pulumi.Input<string>;
    jaegerUrl: pulumi.Input<string>;
    vaultUrl: pulumi.Input<string>;
    /** The ExternalSecret kind's apiVersion, what the check lists (and the Job's ClusterRole allows). */
    externalSecretsApiVersion: string;
    /** The namespaces that read Vault: every ExternalSecret in them must report Ready. */
    externalSecretNamespaces: readonly string[];
    timeoutSeconds: number;
    /** Cluster mode's Job image: bash and curl in it, already on every node (the stack passes Istio's proxyv2). */
    jobImage: string;
    /** Everything the check exercises: it runs last. */
    waitFor: pulumi.Input<pulumi.Resource>[];
    /** Values whose change re-runs the check (versions, config). */
    triggers: pulumi.Input<unknown>[];
}

/** The last step of `pulumi up`: fails the update, naming what is down, unless every URL works end to end. */
export class SmokeCheck extends pulumi.ComponentResource {
    public readonly report: pulumi.Output<string>;

    constructor(name: string, args: SmokeCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:smoke:SmokeCheck", name, {}, opts);
        // On a node, K3s' own kubectl reads ExternalSecrets; in the Job, the API with the pod's ServiceAccount.
        const cluster: ClusterAccess =
            args.connection === undefined
                ? { via: "service-account", apiServerUrl: SMOKE_JOB.apiServerUrl, serviceAccountDir: SMOKE_JOB.serviceAccountDir }
                : { via: "k3s-kubectl" };
        const script = pulumi
            .all([args.shlinkUrl, args.shlinkHttpUrl, args.caCertificate, args.apiKey, args.grafanaUrl, args.kialiHealthUrl, args.jaegerUrl, args.vaultUrl])
            .apply(([shlinkUrl, shlinkHttpUrl, caCertificate, apiKey, grafanaUrl, kialiHealthUrl, jaegerUrl, vaultUrl]) =>
                smokeCheckScript({
                    shlinkUrl,
                    shlinkHttpUrl,
                    caCertificate,
                    apiKey,
                    grafanaUrl,
                    kialiHealthUrl,
                    jaegerUrl,
                    vaultUrl,
                    externalSecretsApiVersion: args.externalSecretsApiVersion,
                    externalSecretNamespaces: args.externalSecretNamespaces,
                    cluster,
                    timeoutSeconds: args.timeoutSeconds,
                }),
            );
        this.report = args.connection === undefined ? smokeJob(name, args, script, this) : overSsh(name, args, args.connection, script, this);
        this.registerOutputs({ report: this.report });
    }
}

/** The script over SSH on a node; its output is the report. */
function overSsh(
    name: string,
    args: SmokeCheckArgs,
    connection: command.types.input.remote.ConnectionArgs,
    script: pulumi.Output<string>,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    const check = new command.remote.Command(
        `${name}-run`,
        {
            connection,
            create: "bash -s",
            update: "bash -s",
            // The script carries the API key: stdin only, and secret in state.
            stdin: pulumi.secret(script),
            triggers: args.triggers,
            addPreviousOutputInEnv: false,
        },
        // Side effects only: the releases and workloads must be up before they can be checked.
        { parent, dependsOn: args.waitFor },
    );
    return check.stdout;
}

/** The script as a Job in a namespace outside the mesh; Pulumi waits for it to complete, or fails the update. */
function smokeJob(name: string, args: SmokeCheckArgs, script: pulumi.Output<string>, parent: pulumi.Resource): pulumi.Output<string> {
    const ns = namespace(`${name}-namespace`, SMOKE_NAMESPACE, false, { parent });
    const secret = new k8s.core.v1.Secret(
        `${name}-script`,
        // The script carries the API key.
        { metadata: { name: SMOKE_JOB.scriptSecret, namespace: ns.metadata.name }, stringData: { [SMOKE_JOB.scriptKey]: pulumi.secret(script) } },
        { parent },
    );
    const account = reader(name, ns, args.externalSecretsApiVersion, parent);
    const triggers = pulumi.output(args.triggers).apply((values) => JSON.stringify(values));
    const deadline = `${args.timeoutSeconds + SMOKE_JOB.graceSeconds}s`;
    const job = new k8s.batch.v1.Job(
        `${name}-job`,
        {
            metadata: {
                namespace: ns.metadata.name,
                // A Job that failed once (the lab was down) is replaced on the next `up`, not awaited for ever.
                annotations: { "pulumi.com/replaceUnready": "true" },
            },
            spec: smokeJobSpec({
                secretName: secret.metadata.name,
                serviceAccountName: account.name,
                timeoutSeconds: args.timeoutSeconds,
                triggers,
                image: args.jobImage,
            }),
        },
        // Side effects only: the releases and workloads must be up, and the account allowed to list, before the check.
        { parent, dependsOn: [...args.waitFor, account.binding], customTimeouts: { create: deadline, update: deadline } },
    );
    return pulumi.interpolate`passed: Job ${job.metadata.namespace}/${job.metadata.name} completed (kubectl logs -n ${job.metadata.namespace} job/${job.metadata.name})`;
}

/** The Job's ServiceAccount, bound to a ClusterRole that may only list ExternalSecrets (smokeClusterRoleRules). */
function reader(
    name: string,
    ns: k8s.core.v1.Namespace,
    externalSecretsApiVersion: string,
    parent: pulumi.Resource,
): { name: pulumi.Output<string>; binding: pulumi.Resource } {
    const account = new k8s.core.v1.ServiceAccount(
        `${name}-account`,
        { metadata: { name: SMOKE_JOB.serviceAccount, namespace: ns.metadata.name } },
        { parent },
    );
    const role = new k8s.rbac.v1.ClusterRole(
        `${name}-role`,
        { metadata: { name: SMOKE_JOB.clusterRole }, rules: smokeClusterRoleRules(externalSecretsApiVersion) },
        { parent },
    );
    const binding = new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-role-binding`,
        {
            metadata: { name: SMOKE_JOB.clusterRole },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace }],
        },
        { parent },
    );
    return { name: account.metadata.name, binding };
}
