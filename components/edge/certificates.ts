// Pure builders of the lab's CA and serving certificate (cert-manager v1): tests call them directly.
import { LAB_TLS } from "./facts";
import { parseIpv4 } from "../config/ipv4";

export const CERT_MANAGER_API_VERSION = "cert-manager.io/v1";

/** Where the lab is reached: every address and name a URL or an in-cluster client uses. */
export interface LabAddresses {
    /** The address the URLs name without a domain: the services VIP, the first node, or homelab:publicAddress. */
    publicAddress: string;
    /** Other addresses the gateway answers on (every node when ServiceLB serves it without a VIP). */
    otherAddresses: readonly string[];
    /** homelab:domain, when set. */
    domain?: string;
    /** In-cluster DNS names of the gateway's Service (the k6 runner and other in-cluster clients use them). */
    serviceNames: readonly string[];
}

/** The serving certificate's subject alternative names: IPv4 addresses as ipAddresses, the rest as dnsNames. */
export function subjectAltNames(a: LabAddresses): { ipAddresses: string[]; dnsNames: string[] } {
    const all = [...new Set([a.publicAddress, ...a.otherAddresses, ...(a.domain === undefined ? [] : [a.domain]), ...a.serviceNames])];
    return {
        ipAddresses: all.filter((n) => parseIpv4(n) !== undefined),
        dnsNames: all.filter((n) => parseIpv4(n) === undefined),
    };
}

const issuerRef = (name: string) => ({ name, kind: "ClusterIssuer", group: "cert-manager.io" });

/** The root of trust: a selfSigned ClusterIssuer signs only the CA certificate. */
export function selfSignedIssuerSpec() {
    return { selfSigned: {} };
}

/**
 * The CA certificate: long-lived, ECDSA, in cert-manager's namespace where the CA ClusterIssuer reads it. Its key
 * never changes by itself (cert-manager's default rotationPolicy is Always): a new key is a rollover, done by hand
 * with both CAs trusted meanwhile (docs/ca-rollover.md).
 */
export function caCertificateSpec() {
    return {
        isCA: true,
        commonName: LAB_TLS.caCommonName,
        secretName: LAB_TLS.caSecret,
        duration: LAB_TLS.caDuration,
        renewBefore: LAB_TLS.caRenewBefore,
        privateKey: { ...LAB_TLS.privateKey, rotationPolicy: "Never" },
        issuerRef: issuerRef(LAB_TLS.selfSignedIssuer),
    };
}

/** The ClusterIssuer every lab certificate comes from: signs with the CA's Secret. */
export function caIssuerSpec() {
    return { ca: { secretName: LAB_TLS.caSecret } };
}

/** The certificate the ingress gateway presents on every HTTPS port, naming every address the lab is reached on. */
export function servingCertificateSpec(addresses: LabAddresses) {
    const sans = subjectAltNames(addresses);
    return {
        secretName: LAB_TLS.servingSecret,
        ...(sans.dnsNames.length > 0 ? { dnsNames: sans.dnsNames } : {}),
        ...(sans.ipAddresses.length > 0 ? { ipAddresses: sans.ipAddresses } : {}),
        duration: LAB_TLS.servingDuration,
        renewBefore: LAB_TLS.servingRenewBefore,
        privateKey: { ...LAB_TLS.privateKey, rotationPolicy: "Always" },
        usages: ["server auth", "digital signature"],
        issuerRef: issuerRef(LAB_TLS.caIssuer),
    };
}
