// The doors' ports of a lab on the defaults (Pulumi.yaml), for tests that build doors, flows and probes without a
// config: tests/config/validate.test.ts holds the loader to the same numbers.
import type { DoorPorts } from "../../components/contracts/doors";

export const DOOR_PORTS: DoorPorts = {
    shlink: 80,
    shlinkHttps: 443,
    grafana: 3000,
    jaeger: 16686,
    kiali: 20001,
    alertmanager: 9093,
    argocd: 8080,
    argocdHttps: 8443,
    vault: 8200,
};
