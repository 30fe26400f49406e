import { loadConfig } from "./components/config";
import { capacityPlan } from "./stacks/capacity";
import { homelab } from "./stacks/homelab";

const outputs = homelab(loadConfig(capacityPlan));

export const kubeconfig = outputs.kubeconfig;
export const apiServerUrl = outputs.apiServerUrl;
export const nodeAddresses = outputs.nodeAddresses;
export const k3sVersion = outputs.k3sVersion;
export const shlinkApiKey = outputs.shlinkApiKey;
export const shlinkServiceAddress = outputs.shlinkServiceAddress;
export const shlinkUrl = outputs.shlinkUrl;
export const grafanaUrl = outputs.grafanaUrl;
export const grafanaAdminPassword = outputs.grafanaAdminPassword;
export const kialiUrl = outputs.kialiUrl;
export const jaegerUrl = outputs.jaegerUrl;
export const alertmanagerUrl = outputs.alertmanagerUrl;
export const loadTesting = outputs.loadTesting;
export const argocdUrl = outputs.argocdUrl;
export const argocdAdminPassword = outputs.argocdAdminPassword;
export const labCaCertificate = outputs.labCaCertificate;
export const smokeCheck = outputs.smokeCheck;
export const vaultUrl = outputs.vaultUrl;
export const vaultAdminPassword = outputs.vaultAdminPassword;
export const offsiteBackupCipherKey = outputs.offsiteBackupCipherKey;
