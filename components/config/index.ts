// The config loader: one validator per section (proxmox, network, nodes, k3s, ssh, image, host, platform,
// mesh), composed by validateConfig; loadConfig reads the stack's keys and refuses a bad config up front.
export { ConfigError } from "./ConfigError";
export { capacityProblems } from "./host";
export { loadConfig } from "./load";
export { portPlanProblems } from "./mesh";
export { volumeProblems, drainedCapacityProblems } from "./platform";
export type { HomelabConfig, MeshConfig, NodeSpec, PlainConfig, PlatformConfig, RawConfig } from "./types";
export { validateConfig } from "./validate";
