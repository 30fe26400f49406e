// Raw config for the loader's pure validators, built the way loadConfig builds it from the engine's map.
import { validateConfig, type RawConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { fullConfig } from "../helpers/pulumi";

/** Keys whose value the engine hands over as JSON. */
const OBJECT_KEYS = ["nodes", "dnsServers"];

/** Raw config as loadConfig builds it from the engine's flat key/value map. */
export function raw(overrides: Record<string, string | undefined> = {}): RawConfig {
    const flat = fullConfig(overrides);
    const out: RawConfig = { homelab: {}, proxmoxve: {} };
    for (const [key, value] of Object.entries(flat)) {
        const [ns, name] = key.split(":") as ["homelab" | "proxmoxve", string];
        out[ns][name] = OBJECT_KEYS.includes(name) ? JSON.parse(value) : value;
    }
    return out;
}

export const nodes = (...list: object[]) => JSON.stringify(list);
export const node = (n: number, extra: object = {}) => ({ name: `k3s-node-0${n}`, ip: `192.168.2.${241 + n}`, ...extra });

export function problemsOf(overrides: Record<string, string | undefined>): string[] {
    return validateConfig(raw(overrides), capacityPlan).problems;
}
