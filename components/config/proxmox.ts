// The Proxmox connection: the provider's own `proxmoxve:*` keys.
import { PROXMOX_TOKEN_PATTERN } from "./patterns";
import { isHttpsUrl } from "./read";
import type { Checked, PlainConfig } from "./types";

const TOKEN_HINT = "pulumi config set --secret proxmoxve:apiToken 'root@pam!homelab=<token-uuid>'";

export function validateProxmox(raw: Record<string, unknown>): Checked<PlainConfig["proxmox"]> {
    const problems: string[] = [];
    const endpoint = raw.endpoint;
    if (typeof endpoint !== "string" || endpoint === "") {
        problems.push("proxmoxve:endpoint is not set: pulumi config set proxmoxve:endpoint https://<proxmox-host>:8006/");
    } else if (!isHttpsUrl(endpoint)) {
        problems.push(`proxmoxve:endpoint must be an https:// URL such as https://<proxmox-host>:8006/ (got "${endpoint}").`);
    }
    const insecure = booleanValue("proxmoxve:insecure", raw.insecure, problems);
    const apiToken = raw.apiToken;
    if (typeof apiToken !== "string" || apiToken === "") {
        problems.push(`proxmoxve:apiToken is not set: ${TOKEN_HINT}`);
    } else if (!PROXMOX_TOKEN_PATTERN.test(apiToken)) {
        problems.push(`proxmoxve:apiToken must look like USER@REALM!TOKENID=UUID (value not shown): ${TOKEN_HINT}`);
    }
    return problems.length > 0 ? { problems } : { problems, value: { endpoint: endpoint as string, insecure } };
}

function booleanValue(key: string, value: unknown, problems: string[]): boolean {
    if (value === true || value === "true") {
        return true;
    }
    if (value !== undefined && value !== false && value !== "false") {
        problems.push(`${key} must be true or false (got ${JSON.stringify(value)}).`);
    }
    return false;
}
