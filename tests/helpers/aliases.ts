// How the Pulumi engine matches a program's resources to the state of an existing stack: by URN first, then by
// the aliases the program gives, with a parent's alias carried over to its children. A model of
// pkg/resource/deploy/step_generator.go (generateURN, generateAliases, collapseAliasToUrn, inheritedChildAlias),
// so a test can tell, without a real stack, whether an update would keep every resource or replace some.
import type { AliasSpec, Registration } from "./pulumi";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

interface Urn {
    stack: string;
    project: string;
    /** Parent type chain and own type, `$`-joined. */
    qualifiedType: string;
    name: string;
}

function parseUrn(urn: string): Urn {
    const match = /^urn:pulumi:([^:]+)::([^:]+)::(.+?)::(.+)$/.exec(urn);
    if (!match) {
        throw new Error(`not a URN: ${urn}`);
    }
    return { stack: match[1], project: match[2], qualifiedType: match[3], name: match[4] };
}

/** resource.CreateURN: the parent's qualified type prefixes the type, except under the root stack. */
function createUrn(name: string, type: string, parentUrn: string, project: string, stack: string): string {
    let qualifiedType = type;
    if (parentUrn !== "") {
        const parentType = parseUrn(parentUrn).qualifiedType;
        if (parentType !== ROOT_STACK_TYPE) {
            qualifiedType = `${parentType}$${type}`;
        }
    }
    return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/** The resource's own type: the last `$` segment of the qualified type. */
function ownType(urn: string): string {
    return parseUrn(urn).qualifiedType.split("$").pop() as string;
}

/** What the engine makes of an existing stack's state and a new program run. */
export interface StateMatch {
    /** New URN → the old URN it took over (itself when unchanged). */
    matched: Map<string, string>;
    /** Old URNs no resource claims: the engine would delete them. */
    deleted: string[];
    /** New URNs matching nothing old: the engine would create them. */
    created: string[];
    /** Old URNs two resources claim (an engine error). */
    claimedTwice: string[];
}

/** Replays the registrations against the old URNs the way the engine's step generator does. */
export function matchState(oldUrns: string[], registrations: Registration[]): StateMatch {
    const old = new Set(oldUrns);
    const aliasOf = new Map<string, string>(); // sg.aliases: new URN → the old URN it matched through an alias
    const matched = new Map<string, string>();
    const claims = new Map<string, number>();
    const created: string[] = [];

    // The mock monitor keeps the root stack's type in top-level URNs; the engine does not: recompute them.
    const real = new Map<string, string>();
    const realOf = (urn: string) => real.get(urn) ?? urn;
    for (const registered of registrations) {
        const { stack, project } = parseUrn(registered.urn);
        const r: Registration = {
            ...registered,
            parentUrn: realOf(registered.parentUrn),
            urn: createUrn(registered.name, registered.type, realOf(registered.parentUrn), project, stack),
            aliases: registered.aliases.map((a) => (a.parentUrn ? { ...a, parentUrn: realOf(a.parentUrn) } : a)),
        };
        real.set(registered.urn, r.urn);
        const collapse = (alias: AliasSpec): string => {
            if (alias.urn) {
                return alias.urn;
            }
            let parent = alias.parentUrn ?? "";
            if (parent === "") {
                parent = r.parentUrn;
            } else if (aliasOf.has(parent)) {
                parent = aliasOf.get(parent) as string;
            }
            if (alias.noParent || (parent !== "" && parseUrn(parent).qualifiedType === ROOT_STACK_TYPE)) {
                parent = "";
            }
            return createUrn(alias.name ?? r.name, alias.type ?? r.type, parent, project, stack);
        };
        const inherited = (childType: string, childName: string, parentAlias: string): string => {
            const parentName = parseUrn(r.parentUrn).name;
            const aliasName = childName.startsWith(parentName) ? parseUrn(parentAlias).name + childName.slice(parentName.length) : childName;
            return `urn:pulumi:${stack}::${project}::${parseUrn(parentAlias).qualifiedType}$${childType}::${aliasName}`;
        };

        const aliases: string[] = [];
        const add = (urn: string) => aliases.includes(urn) || aliases.push(urn);
        r.aliases.forEach((a) => add(collapse(a)));
        const parentAlias = r.parentUrn === "" ? undefined : aliasOf.get(r.parentUrn);
        if (parentAlias !== undefined) {
            add(inherited(r.type, r.name, parentAlias));
            for (const a of r.aliases) {
                const childAlias = collapse(a);
                add(inherited(ownType(childAlias), parseUrn(childAlias).name, parentAlias));
            }
        }

        const hit = [r.urn, ...aliases].find((urn) => old.has(urn));
        if (hit === undefined) {
            created.push(r.urn);
            continue;
        }
        if (hit !== r.urn) {
            aliasOf.set(r.urn, hit);
        }
        matched.set(r.urn, hit);
        claims.set(hit, (claims.get(hit) ?? 0) + 1);
    }
    return {
        matched,
        deleted: oldUrns.filter((urn) => !claims.has(urn)),
        created,
        claimedTwice: [...claims].filter(([, n]) => n > 1).map(([urn]) => urn),
    };
}

/** Resources of the stack at 09f9fe5 the program removes on purpose: the deletion an `up` makes, and why. */
export const INTENDED_DELETIONS: Record<string, string> = {
    "urn:pulumi:homelab::homelab::homelab:apps:Shlink$kubernetes:core/v1:Secret::shlink-credentials":
        "issue 9: Shlink's credentials come from Vault through the ExternalSecret shlink-credentials; Pulumi no longer copies them across namespaces",
    "urn:pulumi:homelab::homelab::homelab:data:Postgres$kubernetes:core/v1:Secret::shlink-db-pguser":
        "issue 9: the PGO user Secret is written by External Secrets from Vault (ExternalSecret shlink-db-pguser)",
    "urn:pulumi:homelab::homelab::homelab:data:Redis$kubernetes:core/v1:Secret::shlink-redis-auth":
        "issue 9: the Redis auth Secret is written by External Secrets from Vault (ExternalSecret shlink-redis-auth)",
    "urn:pulumi:homelab::homelab::homelab:observability:Observability$kubernetes:core/v1:Secret::observability-kiali-grafana-credentials":
        "issue 9: Kiali's copy of Grafana's password is read from Vault in Istio's namespace (ExternalSecret observability-kiali-grafana-credentials), no copy across namespaces",
};
