import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GENERATED_SECRET_LENGTH } from "../defaults";
import { OPENBAO_CHART, VAULT } from "./facts";
import { helmRelease } from "../kubernetes/helm";
import { childName } from "../kubernetes/names";
import { namespace } from "../kubernetes/namespace";
import { VAULT_NAMESPACE } from "./part";
import { ADMIN_PASSWORD_FILE, SELF_INIT_GUARD_FILE, sealKeyFile, selfInitConfig, selfInitGuardScript } from "./openbaoConfig";
import { openbaoValues } from "./openbaoValues";
import type { VaultEntries } from "../contracts/vault";

export interface VaultArgs {
    /** StorageClass of the Raft volumes (homelab:storageClass). */
    storageClass?: string;
    /** The lab's entries (every part's): the policies and roles the self-init writes. */
    entries: VaultEntries;
}

/** The in-cluster Service the ingress gateway routes the UI and API to. */
export interface VaultService {
    name: string;
    namespace: string;
    port: number;
}

/**
 * OpenBao (Vault) for the lab's application secrets: three pods on Raft, unsealed by a static key Pulumi generates,
 * initialised by pod 0 from its config (KV v2, Kubernetes auth, one least-privilege role per reader, the seeder,
 * an admin login); no unseal step, no root token anywhere. Its UI and API reach users through the ingress gateway
 * (its door: secrets/part.ts), over HTTPS from the lab CA.
 */
export class Vault extends pulumi.ComponentResource {
    /** Secret. */
    public readonly adminPassword: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;
    /**
     * What a SecretStore waits for: Helm returns once every pod is Ready (unsealed), and pod 0 serves HTTP only
     * after its self-init finished, so the mounts, policies and roles exist.
     */
    public readonly ready: pulumi.Resource;
    public readonly uiService: VaultService;

    constructor(name: string, args: VaultArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:secrets:Vault", name, {}, opts);
        // Outside the mesh: Raft joins and replicates pod to pod (8201 with OpenBao's own TLS), and no sidecar gates readiness.
        const ns = namespace(childName(name, "namespace"), VAULT_NAMESPACE, false, { parent: this });
        const sealKeys = sealKeySecret(name, ns.metadata.name, this);
        const password = new random.RandomPassword(childName(name, "admin-password"), { length: GENERATED_SECRET_LENGTH, special: false }, { parent: this });
        this.adminPassword = pulumi.secret(password.result);
        const admin = new k8s.core.v1.Secret(
            childName(name, "admin"),
            { metadata: { name: VAULT.adminSecret, namespace: ns.metadata.name }, type: "Opaque", stringData: { [ADMIN_PASSWORD_FILE]: this.adminPassword } },
            { parent: this },
        );
        const selfInit = new k8s.core.v1.ConfigMap(
            childName(name, "self-init"),
            {
                metadata: { name: VAULT.selfInitConfigMap, namespace: ns.metadata.name },
                data: { [VAULT.selfInitFile]: selfInitConfig(args.entries), [SELF_INIT_GUARD_FILE]: selfInitGuardScript() },
            },
            { parent: this },
        );
        const values = openbaoValues({
            sealKeySecret: sealKeys.metadata.name,
            adminSecret: admin.metadata.name,
            selfInitConfigMap: selfInit.metadata.name,
            storageClass: args.storageClass,
        });
        this.release = helmRelease(childName(name, "release"), OPENBAO_CHART, ns.metadata.name, values, { parent: this });
        this.ready = this.release;
        this.uiService = { name: VAULT.uiService, namespace: VAULT.namespace, port: VAULT.apiPort };
        this.registerOutputs({ status: this.release.status });
    }
}

/**
 * One 32-byte key per id of VAULT.sealKeyIds, each a `<id>.key` file of 44 base64 characters and no newline in one
 * Secret. A key is generated once per id and kept, secret, in Pulumi's state.
 */
function sealKeySecret(name: string, ns: pulumi.Output<string>, parent: pulumi.Resource): k8s.core.v1.Secret {
    const files = VAULT.sealKeyIds.map((id) => {
        const key = new random.RandomBytes(childName(name, `seal-key-${id}`), { length: 32 }, { parent });
        return pulumi.secret(key.base64).apply((b64) => [sealKeyFile(id), b64] as const);
    });
    return new k8s.core.v1.Secret(
        childName(name, "seal-keys"),
        {
            metadata: { name: VAULT.sealKeySecret, namespace: ns },
            type: "Opaque",
            stringData: pulumi.secret(pulumi.all(files).apply((entries) => Object.fromEntries(entries))),
        },
        { parent },
    );
}
