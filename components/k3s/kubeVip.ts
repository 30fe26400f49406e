// Pure builders for kube-vip on K3s: its RBAC and DaemonSet (what `kube-vip manifest rbac` and `kube-vip manifest
// daemonset --inCluster --taint --controlplane --services --arp --leaderElection` print), as one YAML file that K3s
// deploys from its auto-deploy directory.
import * as YAML from "yaml";
import { K3S_API_PORT, KUBE_VIP } from "./facts";

/** The two addresses kube-vip holds: the API server's and the LoadBalancer Services'. */
export interface VipAddresses {
    /** homelab:vip: the API server (port 6443) on whichever server leads. */
    apiServer: string;
    /** homelab:servicesVip: every LoadBalancer Service, set on each by the `kube-vip.io/loadbalancerIPs` annotation. */
    services: string;
}

type K8sObject = Record<string, unknown> & {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

const LABELS = { "app.kubernetes.io/name": KUBE_VIP.name, "app.kubernetes.io/version": KUBE_VIP.version };
const SELECTOR = { "app.kubernetes.io/name": KUBE_VIP.name };

/** kube-vip's upstream ClusterRole (website content/manifests/rbac.yaml). */
const RULES = [
    { apiGroups: [""], resources: ["services/status"], verbs: ["update"] },
    { apiGroups: [""], resources: ["services", "endpoints"], verbs: ["list", "get", "watch", "update"] },
    { apiGroups: [""], resources: ["nodes"], verbs: ["list", "get", "watch", "update", "patch"] },
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["list", "get", "watch", "update", "create"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "get", "watch", "update"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
];

/** kube-vip's settings (pkg/kubevip/config_envvar.go): ARP, control plane and Services, one elected leader. */
export function kubeVipEnv(vip: VipAddresses): { name: string; value?: string; valueFrom?: unknown }[] {
    const lease = KUBE_VIP.lease;
    return [
        { name: "vip_arp", value: "true" },
        { name: "address", value: vip.apiServer },
        { name: "port", value: String(K3S_API_PORT) },
        { name: "vip_nodename", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
        { name: "vip_subnet", value: "32" },
        { name: "cp_enable", value: "true" },
        { name: "cp_namespace", value: KUBE_VIP.namespace },
        { name: "svc_enable", value: "true" },
        { name: "vip_leaderelection", value: "true" },
        { name: "vip_leaseduration", value: String(lease.durationSeconds) },
        { name: "vip_renewdeadline", value: String(lease.renewDeadlineSeconds) },
        { name: "vip_retryperiod", value: String(lease.retryPeriodSeconds) },
    ];
}

/** ServiceAccount, ClusterRole, ClusterRoleBinding and the DaemonSet on every server (all lab nodes are servers). */
export function kubeVipObjects(vip: VipAddresses): K8sObject[] {
    if (vip.apiServer === vip.services) {
        throw new Error(`kube-vip cannot hold ${vip.apiServer} for both the API server and the Services (kube-vip/kube-vip#464)`);
    }
    const namespace = KUBE_VIP.namespace;
    const metadata = { name: KUBE_VIP.name, namespace, labels: LABELS };
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata },
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: KUBE_VIP.clusterRole, labels: LABELS }, rules: RULES },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: KUBE_VIP.clusterRoleBinding, labels: LABELS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: KUBE_VIP.clusterRole },
            subjects: [{ kind: "ServiceAccount", name: KUBE_VIP.name, namespace }],
        },
        {
            apiVersion: "apps/v1",
            kind: "DaemonSet",
            metadata,
            spec: {
                selector: { matchLabels: SELECTOR },
                template: {
                    metadata: { labels: LABELS },
                    spec: {
                        affinity: {
                            nodeAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: {
                                    nodeSelectorTerms: [{ matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }] }],
                                },
                            },
                        },
                        containers: [
                            {
                                name: KUBE_VIP.name,
                                image: KUBE_VIP.image,
                                imagePullPolicy: "IfNotPresent",
                                args: ["manager"],
                                env: kubeVipEnv(vip),
                                securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } },
                            },
                        ],
                        // It answers ARP on the node's own interface, and must run before anything else can (--taint).
                        hostNetwork: true,
                        priorityClassName: "system-node-critical",
                        serviceAccountName: KUBE_VIP.name,
                        tolerations: [
                            { effect: "NoSchedule", operator: "Exists" },
                            { effect: "NoExecute", operator: "Exists" },
                        ],
                    },
                },
            },
        },
    ];
}

/** The objects as one multi-document YAML file for K3s' auto-deploy directory. */
export function kubeVipManifest(vip: VipAddresses): string {
    return `${kubeVipObjects(vip)
        .map((o) => YAML.stringify(o))
        .join("---\n")}`;
}

/** The annotation that gives a LoadBalancer Service the services VIP (no cloud provider needed). */
export function kubeVipServiceAnnotations(servicesVip: string): Record<string, string> {
    return { [KUBE_VIP.loadBalancerIpsAnnotation]: servicesVip };
}
