// The Cluster component alone under mocks: bounded SSH dials, the registry mirror and Docker Hub credentials,
// step names.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { SSH_DIAL } from "../../components/defaults";
import { Cluster } from "../../components/k3s/Cluster";
import { sshConnection, sshPortProbeScript } from "../../components/shell/ssh";
import { runUnderMocks, type Ledger } from "../helpers/pulumi";

const COMMAND = "command:remote:Command";
const NODES = ["k3s-node-01", "k3s-node-02", "k3s-node-03"];
const CONNECT_TIMEOUT = 300;
const HUB_TOKEN = "dckr_pat_h0bt0ken-h0bt0ken";

/** The registries.yaml a step's install script writes (the quoted heredoc's content). */
function registriesIn(stdin: string): any {
    const lines = stdin.split("\n");
    const open = lines.findIndex((l) => l.endsWith("<<'K3S_REGISTRIES_EOF'"));
    const close = lines.indexOf("K3S_REGISTRIES_EOF");
    expect(open, "registries.yaml heredoc").toBeGreaterThan(-1);
    return YAML.parse(lines.slice(open + 1, close).join("\n"));
}

describe("the K3s cluster under mocks", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runUnderMocks({}, () => {
            new Cluster("k3s", {
                servers: NODES.map((name, i) => ({ name, ip: `10.0.0.${i + 1}`, address: `10.0.0.${i + 1}`, vmId: `${100 + i}` })),
                k3sVersion: "v1.34.9+k3s1",
                readyTimeoutSeconds: 600,
                sshUser: "ubuntu",
                sshPrivateKey: pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n-----END OPENSSH PRIVATE KEY-----\n"),
                sshConnectTimeoutSeconds: CONNECT_TIMEOUT,
                registries: { dockerHubMirror: CONFIG_DEFAULTS.registryMirror, dockerHubUsername: "homelab", dockerHubToken: pulumi.secret(HUB_TOKEN) },
            });
        }));
    });

    it("waits at most the connect timeout for each VM's port 22, then gives every SSH step a few dials only", () => {
        const commands = ledger.ofType(COMMAND);
        expect(commands.length).toBe(NODES.length * 3 + (NODES.length - 1) + 1);
        for (const c of commands) {
            // A rejected key is a dial error too: a few dials make it fail in a minute, not after the timeout.
            expect(c.inputs.connection.dialErrorLimit, c.name).toBe(SSH_DIAL.attemptsAfterBoot);
            expect(c.inputs.connection.perDialTimeout, c.name).toBe(SSH_DIAL.perDialTimeoutSeconds);
        }
        for (const node of NODES) {
            const probe = ledger.byName(`${node}-ssh-port`);
            expect(probe.type).toBe("command:local:Command");
            expect(probe.inputs.interpreter).toEqual(["node", "-e"]);
            expect(probe.inputs.create).toContain(`did not answer SSH on port 22 within ${CONNECT_TIMEOUT} s.`);
            expect(probe.inputs.create).toContain(`Date.now() + ${CONNECT_TIMEOUT * 1000}`);
            expect(ledger.byName(`${node}-boot`).dependsOn).toEqual([`${node}-ssh-port`]);
        }
    });

    it("refuses an unbounded SSH wait", () => {
        expect(sshConnection("10.0.0.1", { user: "u", privateKey: "k" }).dialErrorLimit).toBe(SSH_DIAL.attemptsAfterBoot);
        expect(SSH_DIAL.attemptsAfterBoot).toBeGreaterThanOrEqual(1);
        expect(() => sshPortProbeScript({ node: "n", host: "h", user: "u", timeoutSeconds: 0 })).toThrow(/positive/);
    });

    it("names each server's step <node>-<step>, aliased to its name before the rename", () => {
        for (const node of NODES) {
            for (const step of ["boot", "guest-agent", "install", ...(node === NODES[0] ? [] : ["wait-api"])]) {
                const reg = ledger.registrations.find((r) => r.name === `${node}-${step}`);
                expect(reg, `${node}-${step}`).toBeDefined();
                expect(reg!.aliases.map((a) => a.name)).toEqual([`k3s-${node}-${step}`]);
            }
        }
        expect(ledger.registrations.find((r) => r.name === "k3s-kubeconfig")!.aliases).toEqual([]);
    });

    it("writes the same registries.yaml on every node: the mirror for docker.io, the shared registries, the login", () => {
        for (const node of NODES) {
            const install = ledger.byName(`${node}-install`);
            expect(registriesIn(install.inputs.stdin)).toEqual({
                mirrors: {
                    "docker.io": { endpoint: ["https://mirror.gcr.io"] },
                    "quay.io": {},
                    "ghcr.io": {},
                    "registry.k8s.io": {},
                    "registry.developers.crunchydata.com": {},
                },
                configs: { "registry-1.docker.io": { auth: { username: "homelab", password: HUB_TOKEN } } },
            });
            expect(install.inputs.stdin).toContain("\nembedded-registry: true\n");
        }
    });

    it("keeps the Docker Hub token in the install step's secret stdin only", () => {
        const holders = ledger.resources.filter((r) => JSON.stringify(r.inputs).includes(HUB_TOKEN));
        expect(holders.map((r) => r.name).sort()).toEqual(NODES.map((n) => `${n}-install`).sort());
        for (const r of holders) {
            expect(r.secretInputs, r.name).toContain("stdin");
            for (const key of Object.keys(r.inputs).filter((k) => k !== "stdin")) {
                expect(JSON.stringify(r.inputs[key]), `${r.name}.${key}`).not.toContain(HUB_TOKEN);
            }
        }
    });
});
