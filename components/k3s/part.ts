// The K3s cluster itself: its system namespaces, CoreDNS answering every restricted namespace's lookups, and the
// cluster's own health alerts (containers crash-looping, volumes filling up, nodes not Ready).
import type { Part } from "../contracts/part";
import { pods, type Flow, type FlowPort, type PodPeer } from "../contracts/flows";
import { NODE_NOT_READY_ALERT, platformRuleSet, type RuleSet } from "../contracts/telemetry";
import { CLUSTER_DNS, SYSTEM_NAMESPACES } from "./facts";

/** CoreDNS, which K3s runs in kube-system. */
export const CLUSTER_DNS_PODS: PodPeer = pods(CLUSTER_DNS.namespace, CLUSTER_DNS.podLabels);
export const CLUSTER_DNS_PORTS: FlowPort[] = [
    { port: CLUSTER_DNS.port, protocol: "UDP" },
    { port: CLUSTER_DNS.port, protocol: "TCP" },
];

const RUNBOOK = {
    crashLoop: "kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous; kubectl describe pod.",
    volume: "kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}; grow the volume or delete data (Prometheus: lower retention).",
    node: "ssh to {{ $labels.node }}; systemctl status k3s; journalctl -u k3s --since -30m; Proxmox: is the VM running?",
} as const;

const ratio = "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes";
const pod = "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }})";
const claim = "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }}";

/** The cluster's own health, alerted under our names next to the chart's defaults. */
function clusterHealthRules(): RuleSet {
    return platformRuleSet([
        {
            alert: "HomelabPodCrashLooping",
            // The pod's node joined in, so a node that is down inhibits its pods' alerts (observability/alertmanager.ts).
            expr:
                '(max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1)\n' +
                "* on (namespace, pod) group_left (node) max by (namespace, pod, node) (kube_pod_info)",
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: "A container keeps crashing.",
                description: `${pod} on {{ $labels.node }} has been in CrashLoopBackOff for 15 minutes.`,
                runbook: RUNBOOK.crashLoop,
            },
        },
        {
            alert: "HomelabVolumeAlmostFull",
            expr: `${ratio} < 0.1`,
            for: "5m",
            labels: { severity: "critical" },
            annotations: {
                summary: "A persistent volume has less than 10% free.",
                description: `${claim} has {{ $value | humanizePercentage }} free.`,
                runbook: RUNBOOK.volume,
            },
        },
        {
            alert: "HomelabVolumeFillingUp",
            expr: `(${ratio}) < 0.4\nand\npredict_linear(kubelet_volume_stats_available_bytes[6h], 24 * 3600) < 0`,
            for: "1h",
            labels: { severity: "warning" },
            annotations: {
                summary: "A persistent volume will be full within 24 hours.",
                description: `At the rate of the last 6 hours, ${claim} runs out of space within a day.`,
                runbook: RUNBOOK.volume,
            },
        },
        {
            alert: NODE_NOT_READY_ALERT,
            expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
            for: "5m",
            labels: { severity: "critical" },
            annotations: {
                summary: "A node is not Ready.",
                description: "{{ $labels.node }} has not been Ready for 5 minutes; its pods' own alerts are held back.",
                runbook: RUNBOOK.node,
            },
        },
    ]);
}

export const k3sPart: Part = {
    name: "k3s",
    // K3s' system namespaces are managed (no user app writes there) but not ours to create or police: policies in
    // kube-system would block metrics-server and risk DNS.
    namespaces: SYSTEM_NAMESPACES.map((name) => ({ kind: "system", name })),
    // CoreDNS receives the name lookups of every namespace whose egress is restricted (the others' egress stays open).
    flows: (context) =>
        context.namespaces.flatMap((ns): Flow[] =>
            ns.kind === "own" && ns.egress === "restricted"
                ? [
                      {
                          name: `${ns.name}-dns`,
                          from: pods(ns.name),
                          to: context.peers.dns.pods,
                          ports: context.peers.dns.ports,
                          why: "name lookups through CoreDNS",
                      },
                  ]
                : [],
        ),
    doors: () => [],
    vaultEntries: {},
    vaultReads: [],
    budget: () => [],
    monitors: [],
    rules: () => [clusterHealthRules()],
    dashboards: [],
    // Every node Ready; a whole server, then only its k3s (etcd member, API server, kubelet), taken away.
    probes: () => [{ check: "nodes_ready" }],
    drills: ["node-loss", "etcd-member"],
};
