import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { Shlink } from "../components/apps/Shlink";
import { SHLINK_SELECTOR } from "../components/apps/shlinkSpec";
import * as k8s from "@pulumi/kubernetes";
import { kubeconfigServer, type ClusterHomelabConfig, type HomelabConfig, type ProxmoxHomelabConfig } from "../components/config";
import { Postgres } from "../components/data/Postgres";
import { Redis } from "../components/data/Redis";
import {
    API_SERVER_PORTS,
    ARGO_CD,
    ISTIO,
    JAEGER,
    K3S_API_PORT,
    K3S_CLUSTER_CIDR,
    K3S_NODE_CIDR_MASK_BITS,
    K6,
    KIALI,
    KUBE_PROMETHEUS_STACK,
    OPERATOR_CHARTS,
    POSTGRES,
    REDIS,
    SHLINK,
    SMOKE_JOB,
    SYSTEM_NAMESPACES,
} from "../components/defaults";
import { ArgoCd } from "../components/gitops/ArgoCd";
import { serviceUrl } from "../components/kubernetes/serviceNames";
import { LoadTesting, type LoadTestingArgs } from "../components/load/LoadTesting";
import { remoteWriteUrl, type LoadTarget } from "../components/load/manifests";
import { Cluster } from "../components/k3s/Cluster";
import { Istio, type IstioArgs } from "../components/mesh/Istio";
import { MeshRouting } from "../components/mesh/MeshRouting";
import { gatewaySpec, type RoutingTarget } from "../components/mesh/values";
import { jaegerOtlpGrpc } from "../components/observability/names";
import { Observability, type ObservabilityArgs } from "../components/observability/Observability";
import { Operators } from "../components/operators/Operators";
import { ServerVms } from "../components/proxmox/ServerVms";
import { NetworkPolicies } from "../components/security/NetworkPolicies";
import { flannelTunnelAddresses, type FlowInputs } from "../components/security/flows";
import { sshConnection } from "../components/shell/ssh";
import { SmokeCheck } from "../components/smoke/SmokeCheck";

/** What the stack exports; index.ts turns these into stack outputs. */
export interface HomelabOutputs {
    kubeconfig: pulumi.Output<string>;
    apiServerUrl: pulumi.Output<string>;
    /** Proxmox mode only: the K3s servers' addresses. */
    nodeAddresses?: pulumi.Output<Record<string, string>>;
    /** Proxmox mode only: the K3s release the servers run. */
    k3sVersion?: pulumi.Output<string>;
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
    /** What the end-to-end check saw at the end of the last `pulumi up`. */
    smokeCheck: pulumi.Output<string>;
}

/**
 * Composes the layers in dependency order: the cluster (Proxmox VMs and K3s on them, or the user's own cluster),
 * the operators, the data stores, the mesh, observability, Shlink and its routing, Argo CD, and last the
 * end-to-end check. Later layers receive the cluster's provider (through `providers`) and nothing else from
 * the cluster; what crosses between layers is visible here.
 */
export function homelab(config: HomelabConfig): HomelabOutputs {
    const cluster = config.mode === "proxmox" ? k3sOnProxmox(config) : existingCluster(config);
    // Every Kubernetes resource below reaches the cluster through this provider, never an ambient kubeconfig.
    const onCluster: pulumi.ComponentResourceOptions = { providers: [cluster.provider] };
    const operators = new Operators("operators", onCluster);
    const postgres = new Postgres("shlink-db", { sizing: postgresSizing(config), operator: operators.postgresOperator }, onCluster);
    const redis = new Redis(
        "shlink-redis",
        { volumeGiB: config.platform.redisVolumeGiB, storageClass: config.target.storageClass, operator: operators.redisOperator },
        onCluster,
    );
    // The services VIP or the first node (Proxmox mode), or homelab:publicAddress (cluster mode).
    const publicAddress = config.target.publicAddress;
    // With a services VIP, kube-vip announces it for every LoadBalancer Service that names it.
    const lb = cluster.loadBalancerAnnotations;
    const istio = new Istio("istio", { ...istioArgs(config), serviceAnnotations: lb }, onCluster);
    const observability = new Observability(
        "observability",
        { ...observabilityArgs(config, publicAddress, istio), serviceAnnotations: lb },
        onCluster,
    );
    const shlinkHost = hostAndPort(publicAddress, config.mesh.ports.shlink);
    const shlink = new Shlink(
        "shlink",
        {
            replicas: config.platform.shlinkReplicas,
            publicDomain: { host: shlinkHost, https: false },
            database: postgres.connection,
            redis: redis.connection,
            meshInjection: true,
            waitFor: [istio.istiod],
        },
        onCluster,
    );
    const load = new LoadTesting("load", loadTestingArgs(config, observability, shlink), onCluster);
    const argocd = config.gitops.argocd ? new ArgoCd("argocd", { ...argoCdArgs(config, publicAddress), serviceAnnotations: lb }, onCluster) : undefined;
    const routing = new MeshRouting("shlink-mesh", { target: SHLINK_ROUTE, namespace: shlink.namespace, waitFor: [istio.base, istio.istiod] }, onCluster);
    const shlinkUrl = pulumi.output(`http://${shlinkHost}`);
    const layers = [operators, postgres, redis, istio, observability, shlink, load, ...(argocd ? [argocd] : [])];
    const policies = new NetworkPolicies("network-policies", { namespaces: stackNamespaces(config), flows: flowInputs(config), waitFor: layers }, onCluster);
    const checked: CheckedUrls = { shlinkUrl, apiKey: shlink.apiKey, observability, waitFor: [shlink, routing, istio, observability, policies] };

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
        smokeCheck: smokeCheck(config, cluster, checked, onCluster),
    };
}

/** The cluster the platform goes onto: its provider, its outputs, and in Proxmox mode the node the smoke check runs on. */
interface TargetCluster {
    provider: k8s.Provider;
    outputs: Pick<HomelabOutputs, "kubeconfig" | "apiServerUrl" | "nodeAddresses" | "k3sVersion">;
    firstNode?: pulumi.Output<string>;
    /** What every LoadBalancer Service carries: kube-vip's address with a services VIP, else nothing. */
    loadBalancerAnnotations: Record<string, string>;
}

/** Proxmox mode: the VMs and K3s on them. */
function k3sOnProxmox(config: ProxmoxHomelabConfig): TargetCluster {
    const vms = serverVms(config);
    const cluster = k3sCluster(config, vms);
    const outputs = { kubeconfig: cluster.kubeconfig, apiServerUrl: cluster.apiServerUrl, nodeAddresses: cluster.nodeAddresses, k3sVersion: cluster.k3sVersion };
    return { provider: cluster.provider, outputs, firstNode: vms.servers[0].address, loadBalancerAnnotations: cluster.loadBalancerAnnotations };
}

/** Cluster mode: a provider built from homelab:kubeconfig; no Proxmox, no SSH, no K3s of ours. */
function existingCluster(config: ClusterHomelabConfig): TargetCluster {
    const kubeconfig = config.secrets.kubeconfig;
    const provider = new k8s.Provider("cluster-k8s", { kubeconfig, enableServerSideApply: true });
    // The loader checked the kubeconfig names an https:// server; the URL itself is no secret.
    const apiServerUrl = pulumi.unsecret(kubeconfig.apply((text) => kubeconfigServer(text) ?? ""));
    // The cluster's own LoadBalancer implementation gives the Services their addresses.
    return { provider, outputs: { kubeconfig, apiServerUrl }, loadBalancerAnnotations: {} };
}

/** What the end-to-end check exercises. */
interface CheckedUrls {
    shlinkUrl: pulumi.Output<string>;
    apiKey: pulumi.Output<string>;
    observability: Observability;
    waitFor: pulumi.Resource[];
}

/**
 * The end-to-end check, last: over SSH on the first node in Proxmox mode (inside the lab's network), as a
 * Kubernetes Job on a cluster not of ours (no node to SSH into).
 */
function smokeCheck(config: HomelabConfig, cluster: TargetCluster, urls: CheckedUrls, onCluster: pulumi.ComponentResourceOptions): pulumi.Output<string> {
    const proxmox = config.mode === "proxmox" ? config : undefined;
    const smoke = new SmokeCheck(
        "smoke-check",
        {
            ...(proxmox ? { connection: sshConnection(cluster.firstNode!, { user: proxmox.ssh.user, privateKey: proxmox.secrets.sshPrivateKey }) } : {}),
            shlinkUrl: urls.shlinkUrl,
            apiKey: urls.apiKey,
            grafanaUrl: urls.observability.grafanaUrl,
            kialiHealthUrl: pulumi.interpolate`${urls.observability.kialiUrl}/healthz`,
            jaegerUrl: urls.observability.jaegerUrl,
            timeoutSeconds: config.mesh.smokeCheckTimeoutSeconds,
            waitFor: urls.waitFor,
            // Re-run whenever a version or the mesh settings change.
            triggers: [...(proxmox ? [proxmox.k3s.version] : []), ISTIO.version, SHLINK.image, JSON.stringify(config.mesh), config.platform.shlinkReplicas],
        },
        // Proxmox mode's check is an SSH command: no Kubernetes provider, as before.
        proxmox ? {} : onCluster,
    );
    return smoke.report;
}

/** The K3s servers' VMs on Proxmox, through an explicit provider built from the provider's own config keys. */
function serverVms(config: ProxmoxHomelabConfig): ServerVms {
    const proxmox = new proxmoxve.Provider("proxmox", {
        endpoint: config.proxmox.endpoint,
        apiToken: config.secrets.proxmoxApiToken,
        insecure: config.proxmox.insecure,
    });
    return new ServerVms(
        "vms",
        {
            nodes: config.nodes,
            image: config.image,
            vmDatastore: config.vmDatastore,
            reservedMemoryGiB: config.host.reservedMemoryGiB,
            network: config.network,
            ssh: config.ssh,
            provider: proxmox,
        },
        // Named `k3s-vms` until the stutter in its children's names (`k3s-vms-k3s-node-01`) was dropped.
        { aliases: [{ name: "k3s-vms" }] },
    );
}

/** HA K3s over SSH on the VMs, in the order the config lists them. */
function k3sCluster(config: ProxmoxHomelabConfig, vms: ServerVms): Cluster {
    return new Cluster("k3s", {
        servers: vms.servers.map((s) => ({ name: s.spec.name, ip: s.spec.ip, address: s.address, vmId: s.vm.id })),
        k3sVersion: config.k3s.version,
        readyTimeoutSeconds: config.k3s.readyTimeoutSeconds,
        sshUser: config.ssh.user,
        sshPrivateKey: config.secrets.sshPrivateKey,
        sshConnectTimeoutSeconds: config.ssh.connectTimeoutSeconds,
        registries: {
            dockerHubMirror: config.k3s.dockerHubMirror,
            dockerHubUsername: config.k3s.dockerHubUsername,
            dockerHubToken: config.secrets.dockerHubToken,
        },
        vip: config.network.vip ? { apiServer: config.network.vip, services: config.network.servicesVip! } : undefined,
    });
}

function postgresSizing(config: HomelabConfig) {
    return {
        volumeGiB: config.platform.postgresVolumeGiB,
        backupVolumeGiB: config.platform.postgresBackupVolumeGiB,
        backupRetentionFull: config.platform.postgresBackupRetentionFull,
        storageClass: config.target.storageClass,
    };
}

function istioArgs(config: HomelabConfig): IstioArgs {
    return {
        tracing: jaegerOtlpGrpc(),
        samplingPercent: config.mesh.tracingSamplingPercent,
        httpPort: config.mesh.ports.shlink,
        clusterName: "homelab",
        // K3s keeps its CNI config and binaries outside the usual paths; another cluster names its own profile, or none.
        ...(config.target.cniPlatform === undefined ? {} : { cniPlatform: config.target.cniPlatform }),
    };
}

function observabilityArgs(config: HomelabConfig, publicAddress: string, istio: Istio): ObservabilityArgs {
    return {
        ports: { grafana: config.mesh.ports.grafana, jaeger: config.mesh.ports.jaeger, kiali: config.mesh.ports.kiali },
        publicAddress,
        istioNamespace: ISTIO.namespace,
        ingressGateway: { namespace: ISTIO.gatewayNamespace, labels: { istio: ISTIO.gatewayLabel }, workload: ISTIO.gatewayRelease },
        sloTarget: { namespace: SHLINK.namespace, service: SHLINK.name },
        kialiAuth: config.mesh.kialiAuth,
        prometheusRetentionDays: config.mesh.prometheusRetentionDays,
        alertWebhookUrl: config.secrets.alertWebhookUrl,
        alertmanagerPort: config.mesh.ports.alertmanager,
        storageClass: config.target.storageClass,
        waitFor: [istio.namespace, istio.istiod],
    };
}

/** k6 in the cluster, loading Shlink through the ingress gateway's in-cluster Service, its metrics into Prometheus. */
function loadTestingArgs(config: HomelabConfig, observability: Observability, shlink: Shlink): LoadTestingArgs {
    return {
        targetUrl: serviceUrl(ISTIO.gatewayRelease, ISTIO.gatewayNamespace, config.mesh.ports.shlink),
        prometheusWriteUrl: remoteWriteUrl(observability.prometheusUrl),
        apiKey: shlink.apiKey,
    };
}

/** Argo CD on its two LoadBalancer ports, the user's repo kept out of every namespace of the stack. */
function argoCdArgs(config: HomelabConfig, publicAddress: string) {
    return {
        ports: { http: config.mesh.ports.argocd, https: config.mesh.ports.argocdHttps },
        publicAddress,
        repo: config.gitops.repo,
        managedNamespaces: MANAGED_NAMESPACES,
    };
}

/** Every namespace the stack creates or K3s runs its system in: none is the user's apps' to write. */
const MANAGED_NAMESPACES: readonly string[] = [
    ...Object.values(OPERATOR_CHARTS).map((chart) => chart.namespace),
    POSTGRES.namespace,
    REDIS.namespace,
    SHLINK.namespace,
    ISTIO.namespace,
    ISTIO.gatewayNamespace,
    KUBE_PROMETHEUS_STACK.namespace,
    JAEGER.namespace,
    KIALI.namespace,
    K6.namespace,
    ARGO_CD.namespace,
    SMOKE_JOB.namespace,
    ...SYSTEM_NAMESPACES,
];

/** The namespaces the stack creates (the smoke check's only in cluster mode, Argo CD's only when installed). */
function stackNamespaces(config: HomelabConfig): string[] {
    return MANAGED_NAMESPACES.filter(
        (ns) =>
            !(SYSTEM_NAMESPACES as readonly string[]).includes(ns) &&
            (ns !== ARGO_CD.namespace || config.gitops.argocd) &&
            (ns !== SMOKE_JOB.namespace || config.mode === "cluster"),
    );
}

/** What the flow table needs from the config: the gateway's listener ports, Kiali's port, where the API server answers. */
function flowInputs(config: HomelabConfig): FlowInputs {
    return {
        gatewayPorts: gatewaySpec(SHLINK_ROUTE).servers.map((server) => server.port.number),
        kialiPort: config.mesh.ports.kiali,
        // Our K3s: the servers on the LAN; another cluster's API server could be anywhere.
        apiServer:
            config.mode === "proxmox"
                ? { cidr: config.network.subnet, ports: [K3S_API_PORT] }
                : { cidr: "0.0.0.0/0", ports: [...API_SERVER_PORTS] },
        // Another cluster's CNI decides where webhook calls come from: its webhooks stay open to every address.
        webhookCallers: config.mode === "proxmox" ? flannelTunnelAddresses(K3S_CLUSTER_CIDR, K3S_NODE_CIDR_MASK_BITS) : ["0.0.0.0/0"],
    };
}

/** Shlink behind the ingress gateway: its Service, its pods and the gateway's identity. */
const SHLINK_ROUTE: RoutingTarget = {
    namespace: SHLINK.namespace,
    service: SHLINK.name,
    port: SHLINK.port,
    podLabels: { ...SHLINK_SELECTOR },
    gateway: { namespace: ISTIO.gatewayNamespace, serviceAccount: ISTIO.gatewayRelease, label: ISTIO.gatewayLabel },
};

/** `host` or `host:port`, leaving out HTTP's default port. */
function hostAndPort(host: string, port: number): string {
    return port === 80 ? host : `${host}:${port}`;
}
