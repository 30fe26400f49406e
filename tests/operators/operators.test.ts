import { beforeAll, describe, expect, it } from "vitest";
import { EXTERNAL_SECRETS_CHART, OPERATOR_CHARTS, REDIS_OPERATOR_IMAGE_TAG, RELOADER_CHART, SECRET_DELIVERY } from "../../components/operators/facts";
import { helmReleaseArgs } from "../../components/kubernetes/helm";
import {
    certManagerValues,
    externalSecretsValues,
    postgresOperatorValues,
    redisOperatorValues,
    reloaderValues,
} from "../../components/operators/operatorValues";
import type { Ledger } from "../helpers/pulumi";
import { runHomelab } from "../helpers/platform";
import { pssLabels } from "../helpers/podSecurity";

/** cert-manager's chart passes restricted; PGO's and redis-operator's pods are not checked past baseline. */
const OPERATOR_LEVELS: Record<string, "baseline" | "restricted"> = {
    "cert-manager": "restricted",
    pgo: "restricted",
    "redis-operator": "baseline",
    "external-secrets": "restricted",
    reloader: "baseline",
};

const RELEASE = "kubernetes:helm.sh/v3:Release";
const ROLES = {
    certManager: "cert-manager",
    postgresOperator: "pgo",
    redisOperator: "redis-operator",
    externalSecrets: "external-secrets",
    reloader: "reloader",
} as const;
const PINS = { ...OPERATOR_CHARTS, externalSecrets: EXTERNAL_SECRETS_CHART, reloader: RELOADER_CHART };

describe("operator Helm values", () => {
    it("has cert-manager install its CRDs with crds.enabled, not the deprecated installCRDs", () => {
        const values = certManagerValues();
        expect(values).toMatchObject({ crds: { enabled: true } });
        expect(values).not.toHaveProperty("installCRDs");
    });

    it("has PGO watch every namespace, since the cluster lives outside the operator's", () => {
        expect(postgresOperatorValues()).toMatchObject({ singleNamespace: false });
    });

    it("has External Secrets install its CRDs and size its three pods", () => {
        const r = SECRET_DELIVERY.resources;
        expect(externalSecretsValues()).toEqual({
            installCRDs: true,
            resources: r.externalSecrets,
            webhook: { resources: r.externalSecretsWebhook },
            certController: { resources: r.externalSecretsCertController },
        });
    });

    it("has Reloader restart only annotated workloads, by a pod-template annotation, with requests set", () => {
        expect(reloaderValues()).toEqual({
            reloader: {
                autoReloadAll: false,
                reloadStrategy: "annotations",
                watchGlobally: true,
                deployment: { resources: SECRET_DELIVERY.resources.reloader },
            },
        });
    });

    it("keeps the operator image chart 3.2.9 ships (v1.2.4)", () => {
        expect(REDIS_OPERATOR_IMAGE_TAG).toBe("v1.2.4");
        expect(redisOperatorValues()).toMatchObject({ image: { tag: "v1.2.4" } });
    });

    it("gives an OCI chart no repository and a classic chart its repository", () => {
        const pgo = helmReleaseArgs(OPERATOR_CHARTS.postgresOperator, "postgres-operator", {});
        expect(pgo.chart).toBe("oci://registry.developers.crunchydata.com/crunchydata/pgo");
        expect(pgo.repositoryOpts).toBeUndefined();
        const redis = helmReleaseArgs(OPERATOR_CHARTS.redisOperator, "redis-operator", {});
        expect(redis.repositoryOpts).toEqual({ repo: "https://spotahome.github.io/redis-operator" });
        expect(redis).toMatchObject({ atomic: true, waitForJobs: true, createNamespace: false, timeout: 900 });
    });
});

describe("the operators in the stack", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runHomelab());
    });

    it("installs the pinned charts of the issue, each in its own namespace", () => {
        const pins = Object.fromEntries(
            Object.values(ROLES).map((role) => {
                const r = ledger.byName(`operators-${role}`);
                return [role, [r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts?.repo, r.inputs.namespace]];
            }),
        );
        expect(pins).toEqual({
            "cert-manager": ["cert-manager", "v1.19.6", "https://charts.jetstack.io", "cert-manager"],
            pgo: ["oci://registry.developers.crunchydata.com/crunchydata/pgo", "6.0.3", undefined, "postgres-operator"],
            "redis-operator": ["redis-operator", "3.2.9", "https://spotahome.github.io/redis-operator", "redis-operator"],
            "external-secrets": ["external-secrets", "2.9.0", "https://charts.external-secrets.io", "external-secrets"],
            reloader: ["reloader", "2.2.16", "https://stakater.github.io/stakater-charts", "reloader"],
        });
        expect(ledger.ofType(RELEASE).filter((r) => r.parent === "operators")).toHaveLength(5);
    });

    it("creates each operator namespace itself, out of the mesh, and feeds its name to the release", () => {
        for (const [key, role] of Object.entries(ROLES)) {
            const release = ledger.byName(`operators-${role}`);
            const namespace = ledger.byName(`operators-${role}-ns`);
            expect(namespace.inputs.metadata.name).toBe(PINS[key as keyof typeof ROLES].namespace);
            expect(namespace.inputs.metadata.labels).toEqual({ "istio-injection": "disabled", ...pssLabels(OPERATOR_LEVELS[role]) });
            expect(release.dataDeps).toContain(`operators-${role}-ns`);
            expect(release.inputs.createNamespace).toBe(false);
            expect(release.inputs.name).toBe(PINS[key as keyof typeof ROLES].release);
        }
    });

    it("installs the releases in parallel: none waits for another", () => {
        const releases = ledger
            .ofType(RELEASE)
            .filter((r) => r.parent === "operators")
            .map((r) => r.name);
        expect(releases).toHaveLength(5);
        for (const release of releases) {
            const waits = ledger.waitsFor(release);
            expect(
                releases.filter((other) => waits.has(other)),
                release,
            ).toEqual([]);
        }
    });

    it("passes the values the builders make, atomically and with a timeout", () => {
        expect(ledger.byName("operators-cert-manager").inputs.values).toEqual(certManagerValues());
        expect(ledger.byName("operators-pgo").inputs.values).toEqual(postgresOperatorValues());
        expect(ledger.byName("operators-redis-operator").inputs.values).toEqual(redisOperatorValues());
        expect(ledger.byName("operators-external-secrets").inputs.values).toEqual(externalSecretsValues());
        expect(ledger.byName("operators-reloader").inputs.values).toEqual(reloaderValues());
        for (const release of ledger.ofType(RELEASE).filter((r) => r.parent === "operators")) {
            expect(release.inputs, release.name).toMatchObject({ atomic: true, waitForJobs: true, timeout: 900 });
        }
    });

    it("makes each custom resource wait for the release that installs its CRD", () => {
        const postgres = ledger.byName("shlink-db-cluster");
        expect(postgres.type).toBe("kubernetes:postgres-operator.crunchydata.com/v1beta1:PostgresCluster");
        expect(postgres.dependsOn).toContain("operators-pgo");
        const redis = ledger.byName("shlink-redis-failover");
        expect(redis.type).toBe("kubernetes:databases.spotahome.com/v1:RedisFailover");
        expect(redis.dependsOn).toContain("operators-redis-operator");
    });
});
