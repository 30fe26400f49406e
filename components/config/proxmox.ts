// The Proxmox connection: the provider's own `proxmoxve:*` keys.
import { PROXMOX_API_PORT } from "./defaults";
import { PROXMOX_TOKEN_PATTERN } from "./patterns";
import { booleanValue, UNREAD_SECRET } from "./read";
import type { Checked, PlainConfig } from "./types";
import { configSet, configSetSecret } from "./fix";

const TOKEN_HINT = `paste USER@REALM!TOKENID=UUID (e.g. root@pam!homelab=<token-uuid>) when Pulumi asks: ${configSetSecret("proxmoxve:apiToken")}`;

export function validateProxmox(raw: Record<string, unknown>): Checked<PlainConfig["proxmox"]> {
    const problems: string[] = [];
    const notes: string[] = [];
    let endpoint: string | undefined;
    if (typeof raw.endpoint !== "string" || raw.endpoint === "") {
        problems.push(`proxmoxve:endpoint is not set: ${configSet("proxmoxve:endpoint", EXAMPLE_ENDPOINT)}`);
    } else {
        const normalised = normaliseEndpoint(raw.endpoint);
        endpoint = normalised.endpoint;
        problems.push(...(normalised.problem ? [normalised.problem] : []));
        notes.push(...(normalised.note ? [normalised.note] : []));
    }
    const insecure = booleanValue("proxmoxve:insecure", raw.insecure, false, problems);
    const apiToken = raw.apiToken;
    if (typeof apiToken !== "string" || apiToken === "") {
        problems.push(`proxmoxve:apiToken is not set: ${TOKEN_HINT}`);
    } else if (apiToken !== UNREAD_SECRET && !PROXMOX_TOKEN_PATTERN.test(apiToken)) {
        problems.push(`proxmoxve:apiToken must look like USER@REALM!TOKENID=UUID (value not shown): ${TOKEN_HINT}`);
    }
    return problems.length > 0 ? { problems, notes } : { problems, notes, value: { endpoint: endpoint!, insecure } };
}

const EXAMPLE_ENDPOINT = `https://<proxmox-host>:${PROXMOX_API_PORT}/`;
const API_PATH = /\/api2\/json\/?$/;

/**
 * The provider wants the API's origin, `https://host:port/` (it appends /api2/json itself). A missing port
 * means Proxmox's own (8006) and a trailing /api2/json is dropped, each with a note; a URL already in that
 * form is kept exactly as written, so an existing stack's provider sees no change. Anything else is refused.
 */
export function normaliseEndpoint(text: string): { endpoint?: string; problem?: string; note?: string } {
    const refuse = (why: string) => ({ problem: `proxmoxve:endpoint ${why}, such as ${EXAMPLE_ENDPOINT} (got "${text}").` });
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return refuse("must be an https:// URL");
    }
    if (url.protocol !== "https:" || url.hostname === "") {
        return refuse("must be an https:// URL: Proxmox serves its API over https only");
    }
    if (url.username || url.password || url.search || url.hash) {
        return refuse("must be the API's address alone, without credentials, query or fragment");
    }
    const path = url.pathname.replace(API_PATH, "/");
    if (path !== "/") {
        return refuse(`must be the API's origin, without a path other than /api2/json`);
    }
    // URL drops a default port (443) from url.port: read whether one was written from the text itself.
    const hasPort = /^https:\/\/(\[[^\]]*\]|[^/?#:]*):\d+/i.test(text);
    if (hasPort && url.pathname === path) {
        return { endpoint: text };
    }
    const endpoint = `https://${url.hostname}:${hasPort ? url.port || "443" : PROXMOX_API_PORT}/`;
    return { endpoint, note: `proxmoxve:endpoint "${text}" is taken as ${endpoint}: set it so to silence this note.` };
}
