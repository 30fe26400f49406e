// The smoke check's inputs from the parts' probes (PartChecks.probes): the stack hands it every part, and the URL of
// a door on the lab's address (which only the stack knows); each check the script runs must be one part's probe.
import type { DoorPorts, PartChecks, ProbeDoor, SmokeCheckName, SmokeProbe } from "../contracts/checks";
import { SMOKE_CHECK_NAMES, type SmokeCheckArgs } from "./script";

/** What the probes give the smoke check (SmokeCheckArgs): the URLs its checks call, the ExternalSecrets it reads. */
export type SmokeTargets = Pick<
    SmokeCheckArgs,
    "shlinkUrl" | "shlinkHttpUrl" | "grafanaUrl" | "kialiHealthUrl" | "jaegerUrl" | "vaultUrl" | "externalSecretsApiVersion" | "externalSecretNamespaces"
>;

/** The probes of every part, checked to claim each of the script's checks exactly once, as the script's inputs. */
export function smokeTargets(
    parts: readonly Pick<PartChecks, "probes">[],
    ports: DoorPorts,
    url: (door: ProbeDoor) => string,
    /** The namespaces reading from Vault: every part's Vault entries' readers (their ExternalSecrets must sync). */
    readerNamespaces: readonly string[],
): SmokeTargets {
    const probes = parts.flatMap((part) => part.probes(ports));
    const claims = (check: SmokeCheckName) => probes.filter((p) => p.check === check).length;
    const wrong = SMOKE_CHECK_NAMES.filter((check) => claims(check) !== 1);
    if (wrong.length > 0) {
        throw new Error(`every smoke check must be exactly one part's probe: ${wrong.map((c) => `${c} (${claims(c)})`).join(", ")}`);
    }
    const probe = <C extends SmokeCheckName>(check: C) => probes.find((p): p is Extract<SmokeProbe, { check: C }> => p.check === check)!;
    const doorUrl = (check: Extract<SmokeProbe, { door: ProbeDoor }>["check"]) => url(probe(check).door);
    const externalSecrets = probe("external_secrets");
    return {
        shlinkUrl: doorUrl("shlink_health"),
        shlinkHttpUrl: doorUrl("http_redirects"),
        grafanaUrl: doorUrl("grafana"),
        kialiHealthUrl: doorUrl("kiali"),
        jaegerUrl: doorUrl("jaeger"),
        vaultUrl: doorUrl("vault"),
        externalSecretsApiVersion: externalSecrets.apiVersion,
        externalSecretNamespaces: readerNamespaces,
    };
}
