import { beforeAll, describe, expect, it } from "vitest";
import { REDIS_FAILOVER } from "../../components/data/crds";
import { REDIS_PASSWORD_KEY, redisFailoverSpec, redisMasterSelector, redisPodLabels } from "../../components/data/redisSpec";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { REDIS } from "../../components/data/facts";
import type { Ledger } from "../helpers/pulumi";
import { GENERATED, runHomelab } from "../helpers/platform";
import { materialise, seedSecret } from "../helpers/eso";
import { pssLabels } from "../helpers/podSecurity";

const spec = redisFailoverSpec({ failoverName: "shlink-redis", volumeGiB: 13, passwordSecretName: "auth" });

describe("redisFailoverSpec", () => {
    it("runs three sentinels and three redis pods with the password Secret", () => {
        expect(spec.sentinel.replicas).toBe(3);
        expect(spec.redis.replicas).toBe(3);
        expect(spec.auth).toEqual({ secretPath: "auth" });
        expect(spec.redis.image).toBe(spec.sentinel.image);
        expect(spec.redis.image).toMatch(/^redis:\d+\.\d+\.\d+-alpine$/);
    });

    it("gives every redis pod a local-path volume of the configured size", () => {
        expect(spec.redis.storage).toEqual({
            persistentVolumeClaim: {
                metadata: { name: "shlink-redis-data" },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: "local-path",
                    resources: { requests: { storage: "13Gi" } },
                },
            },
        });
    });

    it("sets explicit requests and limits on redis and sentinels", () => {
        expect(spec.redis.resources).toEqual({
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "500m", memory: "512Mi" },
        });
        expect(spec.sentinel.resources).toEqual({
            requests: { cpu: "50m", memory: "64Mi" },
            limits: { cpu: "200m", memory: "128Mi" },
        });
    });

    it("runs a pinned, current redis_exporter beside every redis pod and every sentinel, with requests and limits", () => {
        const exporter = {
            enabled: true,
            // The operator's default is v1.43.0 (2022).
            image: "quay.io/oliver006/redis_exporter:v1.88.0",
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
        };
        expect(spec.redis.exporter).toEqual(exporter);
        expect(spec.sentinel.exporter).toEqual(exporter);
    });

    it("places redis pods one per node and prefers the same for sentinels", () => {
        expect(spec.redis.topologySpreadConstraints).toEqual([
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: redisPodLabels("shlink-redis") },
            },
        ]);
        expect(spec.sentinel.topologySpreadConstraints![0]).toMatchObject({
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { "app.kubernetes.io/component": "sentinel", "app.kubernetes.io/name": "shlink-redis" } },
        });
    });
});

describe("the master selector", () => {
    it("selects the operator's labels of the failover's redis pods and the master role", () => {
        expect(redisMasterSelector("shlink-redis")).toEqual({
            "app.kubernetes.io/name": "shlink-redis",
            "app.kubernetes.io/component": "redis",
            "app.kubernetes.io/part-of": "redis-failover",
            "redisfailovers-role": "master",
        });
    });
});

describe("the Redis failover in the stack", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runHomelab());
    });

    it("creates the RedisFailover shlink-redis in namespace redis, out of the mesh", () => {
        const failover = ledger.byName("shlink-redis-failover");
        expect(failover.inputs).toMatchObject({ ...REDIS_FAILOVER, metadata: { name: "shlink-redis", namespace: "redis" } });
        expect(ledger.byName("shlink-redis-ns").inputs.metadata).toEqual({
            name: "redis",
            labels: { "istio-injection": "disabled", ...pssLabels("baseline") },
        });
        expect(failover.inputs.spec.redis.storage.persistentVolumeClaim.spec.resources.requests.storage).toBe(`${CONFIG_DEFAULTS.redisVolumeGiB}Gi`);
    });

    it("gives the operator the generated password through a Secret key it reads, written by ESO from Vault", () => {
        const es = ledger.byName("shlink-redis-auth");
        const auth = materialise(ledger, "shlink-redis-auth");
        const failover = ledger.byName("shlink-redis-failover");
        expect(failover.inputs.spec.auth.secretPath).toBe(auth.name);
        expect(failover.dependsOn).toContain("shlink-redis-auth");
        expect(auth.namespace).toBe("redis");
        expect(REDIS_PASSWORD_KEY).toBe("password");
        // Generation 0: no rotation yet, so the previous password is the current one.
        expect(auth.data).toEqual({ password: GENERATED.redisPassword, previousPassword: GENERATED.redisPassword, generation: "0" });
        expect(es.inputs.metadata.annotations["pulumi.com/waitFor"]).toBe("condition=Ready");
        expect(JSON.stringify(es.inputs)).not.toContain(GENERATED.redisPassword);
        expect(seedSecret(ledger).secretInputs).toContain("stringData");
        expect(ledger.byName("shlink-redis-password").inputs).toMatchObject({ length: 40, special: false });
    });

    it("serves the current master through a Service of ours that selects the role label", () => {
        const master = ledger.byName("shlink-redis-master");
        expect(master.inputs.metadata).toEqual({ name: "shlink-redis-master", namespace: "redis" });
        expect(master.inputs.spec.selector).toEqual(redisMasterSelector("shlink-redis"));
        expect(master.inputs.spec.ports).toEqual([{ name: "tcp-redis", port: REDIS.port, targetPort: REDIS.port, protocol: "TCP" }]);
        expect(master.inputs.spec.type).toBe("ClusterIP");
        expect(master.dataDeps).toContain("shlink-redis-failover");
    });
});
