import * as pulumi from "@pulumi/pulumi";
import { Shlink } from "../components/apps/Shlink";
import { SHLINK_SELECTOR } from "../components/apps/shlinkSpec";
import { offsiteEndpointPort, type HomelabConfig } from "../components/config";
import { Postgres } from "../components/data/Postgres";
import { Redis } from "../components/data/Redis";
import { SHLINK } from "../components/apps/facts";
import { API_SERVER_PORTS, K3S_API_PORT, K3S_CLUSTER_CIDR, K3S_NODE_CIDR_MASK_BITS } from "../components/k3s/facts";
import { ISTIO } from "../components/mesh/facts";
import { GRAFANA } from "../components/observability/facts";
import { ArgoCd } from "../components/gitops/ArgoCd";
import { EdgeDoors } from "../components/edge/EdgeDoors";
import { LabTls } from "../components/edge/LabTls";
import type { LabAddresses } from "../components/edge/certificates";
import { doorServicePorts, httpsHost, httpsUrl, type EdgeDoor } from "../components/contracts/doors";
import { serviceFqdn } from "../components/kubernetes/serviceNames";
import { LoadTesting, type LoadTestingArgs } from "../components/load/LoadTesting";
import { remoteWriteUrl, type LoadTarget } from "../components/load/manifests";
import { Istio, type IstioArgs } from "../components/mesh/Istio";
import { MeshRouting } from "../components/mesh/MeshRouting";
import type { RoutingTarget } from "../components/mesh/values";
import { jaegerOtlpGrpc } from "../components/observability/names";
import { Observability, type ObservabilityArgs } from "../components/observability/Observability";
import { PARTS } from "./parts";
import { targetCluster, type ClusterOutputs } from "./cluster";
import { smokeCheck, type CheckedUrls } from "./smoke";
import { Operators } from "../components/operators/Operators";
import { LAB_VAULT_ENTRIES } from "./vault";
import { Vault } from "../components/secrets/Vault";
import type { VaultAccess } from "../components/contracts/vault";
import { VaultSeed } from "../components/secrets/VaultSeed";
import { NetworkPolicies } from "../components/security/NetworkPolicies";
import { flannelTunnelAddresses } from "../components/security/flows";
import { createdNamespaces, gatewayPorts, labDoors, labFlows, managedNamespaces, type FlowInputs } from "./placement";

/** What the stack exports; index.ts turns these into stack outputs. */
export interface HomelabOutputs extends ClusterOutputs {
    /** Shlink's first API key (secret). */
    shlinkApiKey: pulumi.Output<string>;
    /** Shlink's in-cluster URL. */
    shlinkServiceAddress: pulumi.Output<string>;
    /** Shlink through the Istio ingress gateway. */
    shlinkUrl: pulumi.Output<string>;
    grafanaUrl: pulumi.Output<string>;
    /** Grafana's `admin` password (secret). */
    grafanaAdminPassword: pulumi.Output<string>;
    kialiUrl: pulumi.Output<string>;
    jaegerUrl: pulumi.Output<string>;
    /** Alertmanager's UI: every firing alert, whether or not a webhook is set. */
    alertmanagerUrl: pulumi.Output<string>;
    /** Where `npm run load` runs its scenarios and what they target (no secret: the API key stays in the cluster). */
    loadTesting: pulumi.Output<LoadTarget>;
    /** Argo CD's UI and API (log in as admin); undefined when homelab:argocd is false. */
    argocdUrl?: pulumi.Output<string>;
    /** Argo CD's `admin` password (secret); undefined when homelab:argocd is false. */
    argocdAdminPassword?: pulumi.Output<string>;
    /** The lab CA's certificate (PEM, no secret): trust it to reach every URL over verified HTTPS. */
    labCaCertificate: pulumi.Output<string>;
    /** What the end-to-end check saw at the end of the last `pulumi up`. */
    smokeCheck: pulumi.Output<string>;
    /** OpenBao's (Vault's) UI and API through the gateway; log in with userpass as `admin`. */
    vaultUrl: pulumi.Output<string>;
    /** The Vault `admin` password (secret). */
    vaultAdminPassword: pulumi.Output<string>;
    /** The off-site backup's cipher key (secret): keep a copy off the box (docs/disaster-recovery.md); undefined when off. */
    offsiteBackupCipherKey?: pulumi.Output<string>;
}

/**
 * Composes the layers in dependency order: the cluster (Proxmox VMs and K3s on them, or the user's own cluster),
 * the operators, Vault, the data stores, the mesh and the edge (the lab CA, HTTPS doors), observability, Shlink,
 * the seeding of Vault, load testing, Argo CD, Shlink's routing, the NetworkPolicies, and last the end-to-end check. Later layers receive the cluster's provider (through `providers`) and nothing else from
 * the cluster; what crosses between layers is visible here.
 */
export function homelab(config: HomelabConfig): HomelabOutputs {
    const cluster = targetCluster(config);
    // Every Kubernetes resource below reaches the cluster through this provider, never an ambient kubeconfig.
    const onCluster: pulumi.ComponentResourceOptions = { providers: [cluster.provider] };
    const operators = new Operators("operators", onCluster);
    const openbao = new Vault("vault", { storageClass: config.target.storageClass, entries: LAB_VAULT_ENTRIES }, onCluster);
    // The layers generate the values Vault is seeded with, so the seed comes after them; their ExternalSecrets wait for it.
    const seeded = deferred<pulumi.Resource[]>();
    const vault: VaultAccess = { operator: operators.externalSecrets, seeded: seeded.promise, entries: LAB_VAULT_ENTRIES };
    const postgres = new Postgres(
        "shlink-db",
        { sizing: postgresSizing(config), operator: operators.postgresOperator, vault, ...offsiteBackup(config) },
        onCluster,
    );
    const redis = new Redis("shlink-redis", redisArgs(config, operators, vault), onCluster);
    // The services VIP or the first node (Proxmox mode), or homelab:publicAddress (cluster mode).
    const publicAddress = config.target.publicAddress;
    // With a services VIP, kube-vip announces it for every LoadBalancer Service that names it.
    const lb = cluster.loadBalancerAnnotations;
    // Every URL names homelab:domain when set, else the lab's address; the certificate names both.
    const host = config.mesh.domain ?? publicAddress;
    // Every part's doors: Shlink's routed by its own MeshRouting, the UIs' by EdgeDoors.
    const doors = labDoors(config);
    const istio = new Istio("istio", { ...istioArgs(config, doors.all), serviceAnnotations: lb }, onCluster);
    const { tls, edge } = labEdge(config, operators, istio, doors.edge, onCluster);
    const observability = new Observability("observability", { ...observabilityArgs(config, host, istio), vault, backups: postgres.backupRepos }, onCluster);
    const shlinkHost = httpsHost(host, config.mesh.ports.shlinkHttps);
    const shlink = new Shlink("shlink", { ...shlinkArgs(config, shlinkHost, postgres, redis), vault, waitFor: [istio.istiod] }, onCluster);
    // A rotated Redis password: the redis pods restart (dropping the previous one) once Shlink runs with the new one.
    redis.restartAfterClients([shlink.deployment]);
    const seed = vaultSeed({ operators, openbao, postgres, redis, shlink, observability }, onCluster);
    seeded.resolve(seed.pushes);
    const load = new LoadTesting("load", loadTestingArgs(config, observability, shlink, tls), onCluster);
    const argocd = config.gitops.argocd ? new ArgoCd("argocd", argoCdArgs(config, host), onCluster) : undefined;
    const routing = shlinkRouting(config, ownDoor(doors.own, "shlink"), { istio, tls, shlink }, onCluster);
    const shlinkUrl = pulumi.output(`https://${shlinkHost}`);
    const layers = [operators, openbao, postgres, redis, istio, tls, edge, observability, shlink, seed, load, routing, ...(argocd ? [argocd] : [])];
    const policies = networkPolicies(config, doors.all, layers, onCluster);
    const checked: CheckedUrls = {
        apiKey: shlink.apiKey,
        caCertificate: tls.caCertificate,
        waitFor: [shlink, routing, istio, observability, edge, openbao, policies],
    };

    return {
        ...cluster.outputs,
        shlinkApiKey: shlink.apiKey,
        shlinkServiceAddress: shlink.serviceAddress,
        shlinkUrl,
        grafanaUrl: observability.grafanaUrl,
        grafanaAdminPassword: observability.grafanaAdminPassword,
        kialiUrl: observability.kialiUrl,
        jaegerUrl: observability.jaegerUrl,
        alertmanagerUrl: observability.alertmanagerUrl,
        loadTesting: load.target,
        ...(argocd ? { argocdUrl: argocd.url, argocdAdminPassword: argocd.adminPassword } : {}),
        labCaCertificate: tls.caCertificate,
        smokeCheck: smokeCheck(config, cluster, checked, onCluster),
        vaultUrl: pulumi.output(httpsUrl(host, config.mesh.ports.vault)),
        vaultAdminPassword: openbao.adminPassword,
        ...(config.offsiteBackup ? { offsiteBackupCipherKey: postgres.offsiteCipherKey } : {}),
    };
}

/** The off-site repository's settings and credentials, when homelab:offsiteBackup* turn it on. */
function offsiteBackup(config: HomelabConfig) {
    const secrets = config.secrets.offsiteBackup;
    return config.offsiteBackup && secrets ? { offsite: { config: config.offsiteBackup, secrets } } : {};
}

function redisArgs(config: HomelabConfig, operators: Operators, vault: VaultAccess) {
    return {
        volumeGiB: config.platform.redisVolumeGiB,
        storageClass: config.target.storageClass,
        operator: operators.redisOperator,
        vault,
        passwordGeneration: config.platform.redisPasswordGeneration,
    };
}

/** Shlink's replicas, its public https host, and the data stores it reads (their passwords come from Vault). */
function shlinkArgs(config: HomelabConfig, host: string, postgres: Postgres, redis: Redis) {
    return {
        replicas: config.platform.shlinkReplicas,
        publicDomain: { host, https: true },
        database: postgres.connection,
        redis: redis.connection,
        meshInjection: true,
        ...(config.secrets.shlinkApiKey ? { apiKey: config.secrets.shlinkApiKey } : {}),
    };
}

/** Every generated value into Vault, pushed from inside the cluster once OpenBao is initialised and unsealed. */
function vaultSeed(
    layers: { operators: Operators; openbao: Vault; postgres: Postgres; redis: Redis; shlink: Shlink; observability: Observability },
    onCluster: pulumi.ComponentResourceOptions,
): VaultSeed {
    const { operators, openbao, postgres, redis, shlink, observability } = layers;
    return new VaultSeed(
        "vault-seed",
        {
            entries: LAB_VAULT_ENTRIES,
            values: {
                shlinkApiKey: { apiKey: shlink.apiKey },
                postgresShlinkUser: postgres.seed,
                redisAuth: redis.seed,
                grafanaAdmin: { user: GRAFANA.adminUser, password: observability.grafanaAdminPassword },
                ...(postgres.offsiteSeed ? { postgresOffsiteBackup: postgres.offsiteSeed } : {}),
            },
            operator: operators.externalSecrets,
            // OpenBao initialised and unsealed, with the roles the stores log in as.
            vaultReady: [openbao.ready],
        },
        onCluster,
    );
}

/** Shlink's door on the gateway: HTTPS with the serving certificate, HTTP redirecting, its routes rate-limited. */
function shlinkRouting(
    config: HomelabConfig,
    door: EdgeDoor,
    layers: { istio: Istio; tls: LabTls; shlink: Shlink },
    onCluster: pulumi.ComponentResourceOptions,
): MeshRouting {
    const { istio, tls, shlink } = layers;
    return new MeshRouting(
        "shlink-mesh",
        {
            target: shlinkRoute(door, tls.credentialName),
            namespace: shlink.namespace,
            // The HTTPS server presents the serving certificate: it waits for cert-manager to issue it.
            waitFor: [istio.base, istio.istiod, tls.servingCertificate],
            rateLimit: { limits: config.mesh.rateLimits, gatewayNamespace: istio.gatewayNamespace.metadata.name },
        },
        onCluster,
    );
}

/** Default-deny and every part's flows' allows in every namespace of the stack, once every layer is in place. */
function networkPolicies(config: HomelabConfig, doors: EdgeDoor[], layers: pulumi.Resource[], onCluster: pulumi.ComponentResourceOptions): NetworkPolicies {
    return new NetworkPolicies(
        "network-policies",
        { namespaces: createdNamespaces(config), flows: labFlows(flowInputs(config, doors)), waitFor: layers },
        onCluster,
    );
}

/** The door a part routes itself, by name: its routing component serves it (no other door is routed twice or not at all). */
function ownDoor(doors: readonly EdgeDoor[], name: string): EdgeDoor {
    const door = doors.find((d) => d.name === name);
    if (door === undefined || doors.length !== 1) {
        throw new Error(`the stack routes exactly one own door, ${name}; the parts give: ${doors.map((d) => d.name).join(", ") || "none"}`);
    }
    return door;
}

/** A value known only later in the program, as a promise (Pulumi awaits a dependsOn promise before registering). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    return { promise, resolve };
}

/** The lab's CA and serving certificate (cert-manager), and the UIs' doors on the ingress gateway presenting it. */
function labEdge(config: HomelabConfig, operators: Operators, istio: Istio, uis: EdgeDoor[], onCluster: pulumi.ComponentResourceOptions) {
    const gatewayNamespace = istio.gatewayNamespace.metadata.name;
    const tls = new LabTls("edge-tls", { addresses: labAddresses(config), gatewayNamespace, certManager: operators.certManager }, onCluster);
    const edge = new EdgeDoors(
        "edge-doors",
        {
            doors: uis,
            namespace: gatewayNamespace,
            gatewayLabel: ISTIO.gatewayLabel,
            credentialName: tls.credentialName,
            waitFor: [istio.base, istio.istiod, tls.servingCertificate],
        },
        onCluster,
    );
    return { tls, edge };
}

function postgresSizing(config: HomelabConfig) {
    return {
        volumeGiB: config.platform.postgresVolumeGiB,
        backupVolumeGiB: config.platform.postgresBackupVolumeGiB,
        backupRetentionFull: config.platform.postgresBackupRetentionFull,
        storageClass: config.target.storageClass,
    };
}

function istioArgs(config: HomelabConfig, doors: readonly EdgeDoor[]): IstioArgs {
    return {
        tracing: jaegerOtlpGrpc(),
        samplingPercent: config.mesh.tracingSamplingPercent,
        servicePorts: doorServicePorts(doors),
        clusterName: "homelab",
        // K3s keeps its CNI config and binaries outside the usual paths; another cluster names its own profile, or none.
        ...(config.target.cniPlatform === undefined ? {} : { cniPlatform: config.target.cniPlatform }),
    };
}

function observabilityArgs(config: HomelabConfig, publicAddress: string, istio: Istio): Omit<ObservabilityArgs, "vault"> {
    return {
        ports: { grafana: config.mesh.ports.grafana, jaeger: config.mesh.ports.jaeger, kiali: config.mesh.ports.kiali },
        publicAddress,
        istioNamespace: ISTIO.namespace,
        telemetry: PARTS,
        kialiAuth: config.mesh.kialiAuth,
        prometheusRetentionDays: config.mesh.prometheusRetentionDays,
        alertWebhookUrl: config.secrets.alertWebhookUrl,
        alertmanagerPort: config.mesh.ports.alertmanager,
        storageClass: config.target.storageClass,
        waitFor: [istio.namespace, istio.istiod],
    };
}

/** k6 in the cluster, loading Shlink over HTTPS through the ingress gateway's in-cluster Service, its metrics into Prometheus. */
function loadTestingArgs(config: HomelabConfig, observability: Observability, shlink: Shlink, tls: LabTls): LoadTestingArgs {
    return {
        targetUrl: httpsUrl(GATEWAY_FQDN, config.mesh.ports.shlinkHttps),
        prometheusWriteUrl: remoteWriteUrl(observability.prometheusUrl),
        apiKey: shlink.apiKey,
        caCertificate: tls.caCertificate,
        rateLimits: config.mesh.rateLimits,
    };
}

/** Argo CD behind its two doors on the gateway, the user's repo kept out of every namespace of the stack. */
function argoCdArgs(config: HomelabConfig, host: string) {
    return {
        ports: argoCdPorts(config),
        publicAddress: host,
        repo: config.gitops.repo,
        managedNamespaces: managedNamespaces(),
    };
}

/** The ingress gateway's in-cluster name: what k6 targets, so the serving certificate names it. */
const GATEWAY_FQDN = serviceFqdn(ISTIO.gatewayRelease, ISTIO.gatewayNamespace);

/** What the flow table needs from the config: the gateway's listener ports, Kiali's port, where the API server answers. */
function flowInputs(config: HomelabConfig, doors: readonly EdgeDoor[]): FlowInputs {
    return {
        gatewayPorts: gatewayPorts(doors),
        // Our K3s: the servers on the LAN; another cluster's API server could be anywhere.
        apiServer: config.mode === "proxmox" ? { cidr: config.network.subnet, ports: [K3S_API_PORT] } : { cidr: "0.0.0.0/0", ports: [...API_SERVER_PORTS] },
        // Another cluster's CNI decides where webhook calls come from: its webhooks stay open to every address.
        webhookCallers: config.mode === "proxmox" ? flannelTunnelAddresses(K3S_CLUSTER_CIDR, K3S_NODE_CIDR_MASK_BITS) : ["0.0.0.0/0"],
        // pgBackRest's way out to the off-site bucket, when there is one.
        ...(config.offsiteBackup ? { offsiteBackupPort: offsiteEndpointPort(config.offsiteBackup.endpoint) } : {}),
    };
}

/** Shlink behind the ingress gateway: its Service, its pods, the gateway's identity and Shlink's door. */
function shlinkRoute(door: EdgeDoor, credentialName: string): RoutingTarget {
    return {
        namespace: SHLINK.namespace,
        service: SHLINK.name,
        port: SHLINK.port,
        podLabels: { ...SHLINK_SELECTOR },
        gateway: { namespace: ISTIO.gatewayNamespace, serviceAccount: ISTIO.gatewayRelease, label: ISTIO.gatewayLabel },
        door,
        credentialName,
    };
}

function argoCdPorts(config: HomelabConfig) {
    return { http: config.mesh.ports.argocd, https: config.mesh.ports.argocdHttps };
}

/**
 * Where the lab is reached: the URLs' address, every node when ServiceLB answers on each (no services VIP),
 * homelab:domain, and the gateway Service's in-cluster names.
 */
function labAddresses(config: HomelabConfig): LabAddresses {
    const everyNode = config.mode === "proxmox" && config.network.servicesVip === undefined ? config.nodes.map((n) => n.ip) : [];
    return {
        publicAddress: config.target.publicAddress,
        otherAddresses: everyNode,
        ...(config.mesh.domain === undefined ? {} : { domain: config.mesh.domain }),
        serviceNames: [GATEWAY_FQDN, `${ISTIO.gatewayRelease}.${ISTIO.gatewayNamespace}.svc`],
    };
}
