// What External Secrets would do with the objects the stack sends: the seed Secret pushed into a model of Vault's
// KV by the PushSecrets, then each ExternalSecret's target Secret rendered from it (reads, template, labels). Lets a
// test say which value ends up in which Secret key without a cluster.
import { VAULT_SEED_SECRET } from "../../components/secrets/catalog";
import type { Ledger, Recorded } from "./pulumi";

/** A Secret as ESO would write it. */
export interface MaterialisedSecret {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    data: Record<string, string>;
}

const ES = "kubernetes:external-secrets.io/v1:ExternalSecret";
const PUSH = "kubernetes:external-secrets.io/v1alpha1:PushSecret";

export const externalSecrets = (ledger: Ledger): Recorded[] => ledger.ofType(ES);
export const pushSecrets = (ledger: Ledger): Recorded[] => ledger.ofType(PUSH);

/** The seed Secret the stack writes in `vault`. */
export function seedSecret(ledger: Ledger): Recorded {
    const found = ledger
        .ofType("kubernetes:core/v1:Secret")
        .filter((s) => !s.read)
        .filter((s) => s.inputs.metadata.name === VAULT_SEED_SECRET.name && s.inputs.metadata.namespace === VAULT_SEED_SECRET.namespace);
    if (found.length !== 1) {
        throw new Error(`expected one seed Secret, found ${found.length}`);
    }
    return found[0];
}

/** Vault's KV after every PushSecret ran: path → property → value. */
export function vaultAfterPushes(ledger: Ledger): Record<string, Record<string, string>> {
    const seed = seedSecret(ledger).inputs.stringData as Record<string, string>;
    const kv: Record<string, Record<string, string>> = {};
    for (const push of pushSecrets(ledger)) {
        if (push.inputs.spec.selector.secret.name !== VAULT_SEED_SECRET.name) {
            throw new Error(`${push.name} pushes from ${push.inputs.spec.selector.secret.name}, not the seed`);
        }
        for (const { match } of push.inputs.spec.data) {
            const value = seed[match.secretKey];
            if (value === undefined) {
                throw new Error(`${push.name}: the seed has no key ${match.secretKey}`);
            }
            kv[match.remoteRef.remoteKey] = { ...kv[match.remoteRef.remoteKey], [match.remoteRef.property]: value };
        }
    }
    return kv;
}

/** The target Secret of the ExternalSecret named `name` (Pulumi name), rendered as ESO's template engine v2 would. */
export function materialise(ledger: Ledger, name: string, vault: Record<string, Record<string, string>> = vaultAfterPushes(ledger)): MaterialisedSecret {
    const es = ledger.byName(name);
    const kv = vault;
    const reads: Record<string, string> = {};
    for (const read of es.inputs.spec.data) {
        const value = kv[read.remoteRef.key]?.[read.remoteRef.property];
        if (value === undefined) {
            throw new Error(`${name}: nothing in Vault at ${read.remoteRef.key}#${read.remoteRef.property}`);
        }
        reads[read.secretKey] = value;
    }
    const template = es.inputs.spec.target.template;
    const read = (key: string) => {
        if (reads[key] === undefined) {
            throw new Error(`${name}: the template reads ${key}, which no data entry provides`);
        }
        return reads[key];
    };
    // The two actions the stack uses: `{{ .key }}`, and `{{ if eq .key "v" }}…{{ else }}…{{ end }}` (no nesting); any other fails.
    const render = (text: string): string => {
        const out = text
            .replace(
                /\{\{ if eq \.([A-Za-z]+) "([^"]*)" \}\}(.*?)\{\{ else \}\}(.*?)\{\{ end \}\}/g,
                (_, key: string, value: string, then: string, otherwise: string) => (read(key) === value ? then : otherwise),
            )
            .replace(/\{\{ \.([A-Za-z]+) \}\}/g, (_, key: string) => read(key));
        if (out.includes("{{")) {
            throw new Error(`${name}: a template action the test renderer does not know: ${text}`);
        }
        return out;
    };
    const data = template?.data ? Object.fromEntries(Object.entries(template.data as Record<string, string>).map(([k, v]) => [k, render(v)])) : reads;
    return {
        name: es.inputs.spec.target.name,
        namespace: es.inputs.metadata.namespace,
        labels: template?.metadata?.labels ?? {},
        data,
    };
}
