// kube-vip's RBAC and DaemonSet from the pure builder, validated against Kubernetes' own schemas (kubernetes-models).
import { ServiceAccount } from "kubernetes-models/v1";
import { DaemonSet } from "kubernetes-models/apps/v1";
import { ClusterRole, ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { KUBE_VIP } from "../../components/k3s/facts";
import { kubeVipManifest, kubeVipObjects, kubeVipServiceAnnotations } from "../../components/k3s/kubeVip";

const VIP = { apiServer: "192.168.2.240", services: "192.168.2.241" };
const MODELS: Record<string, new (data: never) => { validate(): void }> = { ServiceAccount, ClusterRole, ClusterRoleBinding, DaemonSet };

describe("kube-vip manifests", () => {
    const objects = kubeVipObjects(VIP);

    it("builds a ServiceAccount, its ClusterRole and binding, and a DaemonSet, each valid against its Kubernetes schema", () => {
        expect(objects.map((o) => o.kind)).toEqual(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"]);
        for (const o of objects) {
            expect(() => new MODELS[o.kind](o as never).validate(), o.kind).not.toThrow();
        }
    });

    it("binds the upstream role (services, status, endpoints, nodes, leases, endpointslices, pods) to the DaemonSet's account", () => {
        const [account, role, binding, ds] = objects as any[];
        const granted = role.rules.flatMap((r: any) => r.resources);
        expect(granted.sort()).toEqual(["endpoints", "endpointslices", "leases", "nodes", "pods", "services", "services/status"]);
        expect(role.metadata.name).toBe(KUBE_VIP.clusterRole);
        expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: KUBE_VIP.clusterRole });
        expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace }]);
        expect(ds.spec.template.spec.serviceAccountName).toBe(account.metadata.name);
        expect(ds.metadata.namespace).toBe("kube-system");
    });

    it("runs the pinned image in ARP mode with leader election, for the API VIP and the Services, on the host network", () => {
        const ds = objects[3] as any;
        const pod = ds.spec.template.spec;
        const [container] = pod.containers;
        expect(container.image).toBe("ghcr.io/kube-vip/kube-vip:v1.2.3");
        expect(container.args).toEqual(["manager"]);
        const env = Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
        expect(env).toMatchObject({
            vip_arp: "true",
            address: "192.168.2.240",
            port: "6443",
            cp_enable: "true",
            cp_namespace: "kube-system",
            svc_enable: "true",
            vip_leaderelection: "true",
            vip_leaseduration: "5",
            vip_renewdeadline: "3",
            vip_retryperiod: "1",
        });
        expect(container.env.map((e: any) => e.name)).not.toContain("vip_address");
        expect(container.securityContext.capabilities.add).toEqual(["NET_ADMIN", "NET_RAW"]);
        expect(pod.hostNetwork).toBe(true);
        expect(pod.tolerations).toEqual(expect.arrayContaining([{ effect: "NoSchedule", operator: "Exists" }]));
        expect(ds.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "kube-vip" });
        expect(ds.spec.template.metadata.labels).toMatchObject(ds.spec.selector.matchLabels);
    });

    it("renders one multi-document YAML file that parses back to the same objects", () => {
        const docs = YAML.parseAllDocuments(kubeVipManifest(VIP)).map((d) => d.toJS());
        expect(docs).toEqual(objects);
        expect(kubeVipManifest(VIP)).toMatch(/^[\x20-\x7e\n]*$/);
    });

    it("refuses one address for both the API server and the Services (kube-vip/kube-vip#464)", () => {
        expect(() => kubeVipObjects({ apiServer: VIP.apiServer, services: VIP.apiServer })).toThrow(/kube-vip#464/);
    });

    it("annotates a LoadBalancer Service with the services VIP", () => {
        expect(kubeVipServiceAnnotations(VIP.services)).toEqual({ "kube-vip.io/loadbalancerIPs": "192.168.2.241" });
    });
});
