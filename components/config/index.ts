// The config loader: one validator per section (proxmox, network, nodes, k3s, ssh, image, host, platform,
// mesh), composed by validateConfig; loadConfig reads the stack's keys and refuses a bad config up front.
export { ConfigError } from "./ConfigError";
export { configRm, configSet, configSetSecret, PULUMI_CLI, SSH_KEY_FILE } from "./fix";
export { capacityProblems } from "./host";
export { checkConfig, loadConfig } from "./load";
export { SECRET_KEYS } from "./keys";
export { UNREAD_SECRET } from "./read";
export { kubeconfigServer } from "./target";
export { portPlanProblems } from "./mesh";
export { volumeProblems } from "./platform";
export type {
    CapacityPlan,
    ClusterHomelabConfig,
    GitopsConfig,
    HomelabConfig,
    MeshConfig,
    NodeSpec,
    PlainConfig,
    PlatformConfig,
    PlatformTarget,
    ProxmoxHomelabConfig,
    RawConfig,
    StackConfig,
} from "./types";
export { validateClusterConfig, validateConfig, validateStack } from "./validate";
export type { OffsiteBackupConfig, OffsiteBackupSecrets, OffsiteRestore } from "./types";
export { offsiteEndpointPort } from "./backup";
