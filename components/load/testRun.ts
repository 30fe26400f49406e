// The TestRun that runs one of the scenarios the stack ships (the scripts ConfigMap, the lab CA, the API key Secret,
// the operator's CRD): k6.io/v1alpha1, the k6-operator's only version (CRD: parallelism and script required). The
// load part's pure contract with the programs that start runs (programs/load, programs/drills); tests check it
// against the CRD's required fields and the load namespace's Pod Security level.
import { K6, K6_LAB_CA } from "./facts";
import type { LoadTarget } from "./manifests";
import { SUMMARY_MARKERS, type LoadSummary, type ScenarioName } from "./scenarios/catalog";

export const TEST_RUN_API = { group: "k6.io", version: "v1alpha1", plural: "testruns", kind: "TestRun" } as const;

/** Labels the operator puts on a run's runner pods (k6-operator pkg/resources/jobs: newLabels, runner). */
export function runnerPodSelector(runName: string): string {
    return `app=k6,k6_cr=${runName},runner=true`;
}

/** The part of core/v1 Affinity a drill sets: nodes the runner must not be scheduled on, by name. */
export interface RunnerAffinity {
    nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: { matchFields: { key: "metadata.name"; operator: "NotIn"; values: string[] }[] }[];
        };
    };
}

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/**
 * The fields of k6.io/v1alpha1 TestRun this program sets, as grafana/k6-operator's CRD types them at chart 4.6.0
 * (config/crd/bases/k6.io_testruns.yaml: `parallelism` int32 and `script` required; `arguments` a string the
 * operator splits on spaces; `runner.{image, env, resources, volumes, volumeMounts}` core types, the volumes added
 * beside the script's own `k6-test-volume` at /test; `starter.image` a string).
 */
export interface TestRun {
    apiVersion: "k6.io/v1alpha1";
    kind: "TestRun";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        parallelism: number;
        script: { configMap: { name: string; file: string } };
        /** k6 run flags, split on spaces by the operator. */
        arguments: string;
        runner: {
            image: string;
            env: EnvVar[];
            resources: typeof K6.runnerResources;
            volumes: { name: string; configMap: { name: string } }[];
            volumeMounts: { name: string; mountPath: string; readOnly: boolean }[];
            /** core/v1 Affinity (CRD: `runner.affinity`, copied onto the runner Job's pod, pkg/resources/jobs/runner.go). */
            affinity?: RunnerAffinity;
        };
        /** The pod that starts the runners once they are ready. */
        starter: { image: string };
    };
}

/** Where the runner finds the lab CA: SSL_CERT_FILE names it, so k6 (Go) verifies the gateway's certificate. */
export const LAB_CA_FILE = `${K6_LAB_CA.mountPath}/${K6_LAB_CA.key}`;

/**
 * A run of `scenario`: its script from the ConfigMap, Shlink over HTTPS trusting the lab CA, metrics to Prometheus
 * tagged with the run's name.
 */
export function testRun(target: LoadTarget, scenario: ScenarioName, name: string, durationSeconds?: number): TestRun {
    const env: EnvVar[] = [
        { name: "TARGET_URL", value: target.targetUrl },
        { name: "SSL_CERT_FILE", value: LAB_CA_FILE },
        { name: "SHLINK_API_KEY", valueFrom: { secretKeyRef: { name: target.apiKeySecret, key: target.apiKeySecretKey } } },
        { name: "K6_PROMETHEUS_RW_SERVER_URL", value: target.prometheusWriteUrl },
        { name: "K6_PROMETHEUS_RW_TREND_STATS", value: K6.prometheusTrendStats },
        ...(durationSeconds === undefined ? [] : [{ name: "DURATION_SECONDS", value: String(durationSeconds) }]),
    ];
    return {
        apiVersion: "k6.io/v1alpha1",
        kind: "TestRun",
        metadata: { name, namespace: target.namespace, labels: { "app.kubernetes.io/part-of": "homelab-load", scenario } },
        spec: {
            // No `cleanup: post`: the operator would delete the run, and its runner's log, before we read the summary.
            parallelism: K6.parallelism,
            script: { configMap: { name: target.configMap, file: `${scenario}.ts` } },
            arguments: `--tag testid=${name} -o experimental-prometheus-rw`,
            runner: {
                image: target.runnerImage,
                env,
                resources: K6.runnerResources,
                volumes: [{ name: K6_LAB_CA.volume, configMap: { name: K6_LAB_CA.configMap } }],
                volumeMounts: [{ name: K6_LAB_CA.volume, mountPath: K6_LAB_CA.mountPath, readOnly: true }],
            },
            // The starter of the operator this code deploys, not the target's: an older stack's outputs hold none.
            starter: { image: K6.starterImage },
        },
    };
}

/** The summary a run printed between its markers (the last one, if a log holds several), or undefined. */
export function parseSummary(log: string): LoadSummary | undefined {
    const begin = log.lastIndexOf(SUMMARY_MARKERS.begin);
    if (begin < 0) {
        return undefined;
    }
    const end = log.indexOf(SUMMARY_MARKERS.end, begin);
    if (end < 0) {
        return undefined;
    }
    try {
        const parsed = JSON.parse(log.slice(begin + SUMMARY_MARKERS.begin.length, end)) as LoadSummary;
        return Array.isArray(parsed.verdicts) ? parsed : undefined;
    } catch {
        return undefined;
    }
}
