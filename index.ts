import { loadConfig } from "./components/config";
import { homelab } from "./stacks/homelab";

const outputs = homelab(loadConfig());

export const kubeconfig = outputs.kubeconfig;
export const apiServerUrl = outputs.apiServerUrl;
export const nodeAddresses = outputs.nodeAddresses;
export const k3sVersion = outputs.k3sVersion;
export const shlinkApiKey = outputs.shlinkApiKey;
export const shlinkServiceAddress = outputs.shlinkServiceAddress;
