// Network policies as a truth table: one check per row of the flow table (must connect) and per chosen flow the
// table does not allow (must not). The probe pods run once per suite; each row reads its result.
import { ARGO_CD } from "../../../components/gitops/facts";
import { fail, pass, skip, type Check } from "../check";
import { truthTable, type TruthRow } from "../probes";

const describe = (row: TruthRow): string => {
    const peer = (p: TruthRow["from"]) =>
        `${p.namespace}${
            p.pods === undefined
                ? ""
                : ` (${Object.entries(p.pods)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(",")})`
        }`;
    const to = row.to === "api-server" ? "the API server" : peer(row.to);
    return `${peer(row.from)} → ${to}${row.port === undefined ? "" : ` :${row.port}`}`;
};

const touchesArgoCd = (row: TruthRow) => row.from.namespace === ARGO_CD.namespace || (row.to !== "api-server" && row.to.namespace === ARGO_CD.namespace);

function rowCheck(row: TruthRow): Check {
    return {
        id: row.id,
        group: "netpol",
        proves: `${row.expect === "open" ? "connects" : "is blocked"}: ${describe(row)} (${row.why})`,
        timeoutSeconds: 150,
        async run(ctx) {
            if (touchesArgoCd(row) && ctx.lab.urls.argocd === undefined) {
                return skip("Argo CD is not installed");
            }
            const results = await ctx.probes();
            const result = results.get(row.id);
            if (result === undefined || result.kind === "error" || result.kind === "http") {
                throw new Error(`the probe could not run: ${result?.kind === "error" ? result.message : "no result"}`);
            }
            const target = row.to === "api-server" ? "kubectl -n default get endpoints kubernetes" : `kubectl -n ${row.to.namespace} get networkpolicy`;
            if (row.expect === "open") {
                return result.kind === "open"
                    ? pass(`connected (${describe(row)})`)
                    : fail(
                          `timed out or refused (${describe(row)})`,
                          "the flow table allows it but the connection did not open: a policy missing, a label the policies select not on the pods, or a port the pod does not listen on",
                          `${target}; the source's egress (${row.from.namespace}); FLOW_TABLE=1 npx vitest run tests/security/networkPolicies.test.ts`,
                      );
            }
            if (result.kind !== "blocked") {
                return fail(
                    `connected (${describe(row)})`,
                    "the table does not allow it, yet it opened: a default-deny missing or a policy too wide",
                    `${target} (default-deny-ingress and the allow-* policies)`,
                );
            }
            // kube-router answers a denied SYN with icmp-port-unreachable (a refusal), just as a port nothing listens on
            // does: a denial proves the policy only beside an allowed flow that reached the same port in this run.
            const controls = controlRows(row);
            if (controls.length > 0 && !controls.some((c) => results.get(c.id)?.kind === "open")) {
                throw new Error(
                    `the probe could not tell: refused or timed out, but no allowed flow to the same port connected either (${controls.map((c) => c.id).join(", ")}), so nothing shows the port listens`,
                );
            }
            return pass(
                `refused or timed out as it must, while ${controls.length > 0 ? "an allowed flow to the same port connected" : "the API server answers the suite"} (${describe(row)})`,
            );
        },
    };
}

const table = truthTable(true);

/** The allowed rows to the same namespace and port as a denied row: one of them connecting shows the port listens. */
export function controlRows(row: TruthRow): TruthRow[] {
    const to = row.to;
    if (to === "api-server") {
        return [];
    }
    return table.rows.filter((r) => r.expect === "open" && r.to !== "api-server" && r.to.namespace === to.namespace && String(r.port) === String(row.port));
}

export const NETPOL_CHECKS: Check[] = [
    ...table.rows.map(rowCheck),
    ...table.skipped.map((s): Check => ({
        id: s.id,
        group: "netpol",
        proves: `connects: ${s.why}`,
        timeoutSeconds: 5,
        run: () => Promise.resolve(skip(s.reason)),
    })),
];
