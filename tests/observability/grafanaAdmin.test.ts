// Grafana's admin login has one source: the Secret External Secrets writes from Vault. With `admin.existingSecret`
// set, Grafana's chart takes the user and the password from that Secret and ignores its own `adminUser` and
// `adminPassword` values: one set anyway would be a second login that nothing uses.
import { beforeAll, describe, expect, it } from "vitest";
import { KIALI } from "../../components/observability/facts";
import { materialise } from "../helpers/eso";
import { runHomelab } from "../helpers/platform";
import type { Ledger } from "../helpers/pulumi";

type GrafanaValues = Record<string, any>;

/**
 * Where Grafana's chart 12.11.1 takes the admin login from (grafana-community/helm-charts@grafana-12.11.1,
 * charts/grafana): GF_SECURITY_ADMIN_USER and _PASSWORD come from Secret `admin.existingSecret` (else the chart's
 * own) at keys `admin.userKey` / `admin.passwordKey`, defaults `admin-user` / `admin-password` (templates/_pod.tpl
 * 1420–1433); the chart writes its own Secret, the only reader of `adminUser` and `adminPassword`, only without
 * `admin.existingSecret` (templates/secret.yaml:1, templates/_config.tpl:172–180 `grafana.secretsData`).
 */
function grafanaLogin(values: GrafanaValues): { secret: string | undefined; userKey: string; passwordKey: string; ignoredValues: string[] } {
    const existing: string | undefined = values.admin?.existingSecret;
    return {
        secret: existing,
        userKey: values.admin?.userKey ?? "admin-user",
        passwordKey: values.admin?.passwordKey ?? "admin-password",
        ignoredValues: existing === undefined ? [] : ["adminUser", "adminPassword"].filter((key) => values[key] !== undefined),
    };
}

describe("Grafana's admin login", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runHomelab());
    });

    it("comes from the Secret External Secrets writes, and no value the chart ignores claims another", () => {
        const values = ledger.byName("observability-kube-prometheus-stack").inputs.values.grafana as GrafanaValues;
        const login = grafanaLogin(values);
        expect(login.ignoredValues).toEqual([]);
        const es = ledger.byName("observability-grafana-admin");
        expect(login.secret).toBe(es.inputs.spec.target.name);
        // The Secret as ESO writes it from Vault carries both keys the chart reads.
        const written = materialise(ledger, es.name).data;
        expect(Object.keys(written).sort()).toEqual([login.passwordKey, login.userKey].sort());
        expect(written[login.userKey]).toMatch(/^\S+$/);
    });

    it("is the login Kiali uses for Grafana: the same user as the Secret Grafana reads", () => {
        const values = ledger.byName("observability-kube-prometheus-stack").inputs.values.grafana as GrafanaValues;
        const written = materialise(ledger, "observability-grafana-admin").data;
        const kiali = ledger.resources.find((r) => r.inputs.kind === "Kiali" && r.inputs.metadata.name === KIALI.crName)!;
        expect(kiali.inputs.spec.external_services.grafana.auth.username).toBe(written[grafanaLogin(values).userKey]);
    });

    it("would see a value the chart ignores", () => {
        expect(grafanaLogin({ adminUser: "admin", admin: { existingSecret: "grafana-admin" } }).ignoredValues).toEqual(["adminUser"]);
        expect(grafanaLogin({ adminUser: "admin" }).ignoredValues).toEqual([]);
    });
});
