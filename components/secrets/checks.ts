import type { PartChecks } from "../contracts/checks";
import { ESO_API } from "../kubernetes/externalSecrets";

/** OpenBao healthy (unsealed, active) through its door, every ExternalSecret synced; its active pod killed. */
export const secretsChecks: PartChecks = {
    probes: (ports) => [
        { check: "vault", door: { scheme: "https", port: ports.vault } },
        { check: "external_secrets", apiVersion: ESO_API.externalSecret.apiVersion },
    ],
    drills: ["vault-pod"],
};
