// The cluster's own health, alerted under our names next to the chart's defaults: containers the kubelets keep
// restarting, volumes filling up, nodes that are not Ready.
import { NODE_NOT_READY_ALERT, platformRuleSet, type PartTelemetry } from "../contracts/telemetry";

const RUNBOOK = {
    crashLoop: "kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous; kubectl describe pod.",
    volume: "kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}; grow the volume or delete data (Prometheus: lower retention).",
    node: "ssh to {{ $labels.node }}; systemctl status k3s; journalctl -u k3s --since -30m; Proxmox: is the VM running?",
} as const;

const ratio = "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes";
const pod = "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }})";
const claim = "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }}";

export const k3sTelemetry: PartTelemetry = {
    monitors: [],
    rules: () => [
        platformRuleSet([
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
        ]),
    ],
    dashboards: [],
};
