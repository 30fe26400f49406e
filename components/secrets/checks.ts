import type { PartChecks } from "../contracts/checks";
import { readerNamespaces } from "./catalog";
import { ESO_API } from "./eso";

/** OpenBao healthy (unsealed, active) through its door, every ExternalSecret synced; its active pod killed. */
export const secretsChecks: PartChecks = {
    probes: (ports) => [
        { check: "vault", door: { scheme: "https", port: ports.vault } },
        { check: "external_secrets", apiVersion: ESO_API.externalSecret.apiVersion, namespaces: readerNamespaces() },
    ],
    drills: ["vault-pod"],
};
