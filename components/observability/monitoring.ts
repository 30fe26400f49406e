// Everything Prometheus and Grafana pick up from the parts (components/contracts/telemetry.ts): their monitors,
// their rules (monitoring.coreos.com objects) and their dashboards built in code. This layer knows no part: the
// stack hands it every part's telemetry, in the order of the parts.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { childName } from "../kubernetes/names";
import { ROUTED_SEVERITIES, type PartTelemetry, type RuleSet, type TelemetryInputs } from "../contracts/telemetry";
import { GRAFANA } from "./facts";

export interface MonitoringInputs {
    /** kube-prometheus-stack: its release installs the CRDs, its namespace holds the objects. */
    stack: { release: pulumi.Resource; namespace: pulumi.Input<string> };
    /** What the monitors marked `afterWaitFor` wait for (the mesh's namespace and istiod). */
    waitFor: pulumi.Input<pulumi.Resource>[];
    /** Every part's telemetry, in the order of the parts. */
    telemetry: readonly PartTelemetry[];
    /** The parts' rule sets, checked (checkedRuleSets). */
    rules: readonly RuleSet[];
}

/**
 * The parts' rule sets, one per PrometheusRule: a set named by several parts gathers their groups, and the rules of
 * a group named twice, in the order of the parts.
 */
export function ruleSets(parts: readonly PartTelemetry[], inputs: TelemetryInputs): RuleSet[] {
    const byRole = new Map<string, RuleSet>();
    for (const set of parts.flatMap((part) => part.rules(inputs))) {
        const known = byRole.get(set.role);
        if (known === undefined) {
            byRole.set(set.role, { ...set, groups: set.groups.map((g) => ({ ...g, rules: [...g.rules] })) });
            continue;
        }
        if (known.name !== set.name) {
            throw new Error(`The PrometheusRule ${set.role} is named both ${known.name} and ${set.name}.`);
        }
        for (const group of set.groups) {
            const same = known.groups.find((g) => g.name === group.name);
            if (same) same.rules.push(...group.rules);
            else known.groups.push({ ...group, rules: [...group.rules] });
        }
    }
    return [...byRole.values()];
}

/**
 * Refuses a part's alert that Alertmanager would route nowhere: every alert must carry a `severity` its routes
 * match (observability/alertmanager.ts), or it shows in the UI and pages nobody.
 */
export function checkRuleSets(sets: readonly RuleSet[]): void {
    for (const set of sets) {
        for (const rule of set.groups.flatMap((g) => g.rules)) {
            if ("alert" in rule && !ROUTED_SEVERITIES.includes(rule.labels.severity)) {
                throw new Error(
                    `The alert ${rule.alert} (PrometheusRule ${set.name}) has severity "${rule.labels.severity}": ` +
                        `Alertmanager routes only ${ROUTED_SEVERITIES.join(", ")}.`,
                );
            }
        }
    }
}

/** The parts' rule sets, refused before anything is created when one would page nobody. */
export function checkedRuleSets(parts: readonly PartTelemetry[], inputs: TelemetryInputs): RuleSet[] {
    const sets = ruleSets(parts, inputs);
    checkRuleSets(sets);
    return sets;
}

/** Every part's monitors, rules and code-built dashboards, as objects in the kube-prometheus-stack's namespace. */
export function monitoringObjects(component: string, inputs: MonitoringInputs, parent: pulumi.Resource): void {
    const object = (role: string, kind: string, name: string, spec: object, extraDeps: pulumi.Input<pulumi.Resource>[] = []) =>
        new k8s.apiextensions.CustomResource(
            childName(component, role),
            { apiVersion: "monitoring.coreos.com/v1", kind, metadata: { name, namespace: inputs.stack.namespace }, spec },
            // The monitoring.coreos.com CRDs come with the kube-prometheus-stack release.
            { parent, dependsOn: [inputs.stack.release, ...extraDeps] },
        );
    for (const m of inputs.telemetry.flatMap((part) => part.monitors)) {
        object(m.role, m.kind, m.name, m.spec, m.afterWaitFor ? inputs.waitFor : []);
    }
    for (const set of inputs.rules) {
        object(set.role, "PrometheusRule", set.name, { groups: set.groups });
    }
    for (const d of inputs.telemetry.flatMap((part) => part.dashboards)) {
        if (d.kind !== "configMap") continue;
        new k8s.core.v1.ConfigMap(
            childName(component, d.role),
            {
                // Grafana's sidecar loads every ConfigMap with this label (searchNamespace ALL in the chart's values).
                metadata: { name: d.uid, namespace: inputs.stack.namespace, labels: { ...GRAFANA.sidecarLabel } },
                data: { [`${d.uid}.json`]: JSON.stringify(d.json) },
            },
            { parent },
        );
    }
}
