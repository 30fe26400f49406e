// The verify clients over real HTTPS (a CA and a server certificate made by openssl): a door's answer verified
// against the lab CA, a server of another CA refused, and the kubeconfig's own CA, client certificate or
// insecure-skip-tls-verify honoured as kubectl would.
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fetchUrl } from "../../programs/verify/http";
import { kubeApi } from "../../programs/verify/lab";
import { nativeTool } from "../helpers/tools";
import { makeCa } from "../helpers/tls";

const openssl = nativeTool("openssl", "openssl", ["version"]);

openssl.describe("verify's clients over HTTPS", () => {
    let server: https.Server;
    let url = "";
    let lab: { ca: string };
    let stranger: { ca: string };

    beforeAll(async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-tls-"));
        lab = makeCa(openssl, dir, "lab");
        stranger = makeCa(openssl, dir, "stranger");
        const made = lab as { ca: string; cert: string; key: string };
        server = https.createServer({ cert: made.cert, key: made.key }, (req, res) =>
            res.end(JSON.stringify({ gitVersion: req.headers.authorization ?? "anonymous" })),
        );
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    afterAll(() => {
        server.close();
    });

    const kubeconfig = (cluster: Record<string, unknown>) =>
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "lab", cluster: { server: url, ...cluster } }],
            users: [{ name: "admin", user: { token: "t0ken" } }],
            contexts: [{ name: "lab", context: { cluster: "lab", user: "admin" } }],
            "current-context": "lab",
        });

    it("a door answers when its certificate chains to the lab CA, and is refused when it does not (never skipped)", async () => {
        expect((await fetchUrl(`${url}/version`, { ca: lab.ca, timeoutMs: 5000 })).status).toBe(200);
        await expect(fetchUrl(`${url}/version`, { ca: stranger.ca, timeoutMs: 5000, what: "Grafana" })).rejects.toThrow(
            /^Grafana: (unable to verify|self[- ]signed|unable to get local issuer)/,
        );
        await expect(fetchUrl(`${url}/version`, { timeoutMs: 5000, what: "Grafana" })).rejects.toThrow(/^Grafana: /);
    });

    it("the API client trusts the kubeconfig's CA and sends its credentials", async () => {
        const { api } = await kubeApi(kubeconfig({ "certificate-authority-data": Buffer.from(lab.ca).toString("base64") }));
        expect(await api.json("/version")).toEqual({ gitVersion: "Bearer t0ken" });
        const { api: wrong } = await kubeApi(kubeconfig({ "certificate-authority-data": Buffer.from(stranger.ca).toString("base64") }));
        await expect(wrong.json("/version")).rejects.toThrow(/^the Kubernetes API at https:\/\/127\.0\.0\.1:\d+: /);
    });

    it("the API client honours insecure-skip-tls-verify, as kubectl does, for a cluster whose kubeconfig says so", async () => {
        const { api } = await kubeApi(kubeconfig({ "insecure-skip-tls-verify": true }));
        expect(await api.json("/version")).toEqual({ gitVersion: "Bearer t0ken" });
    });
});
