// The edge's TLS: the lab's own CA and the serving certificate.

/**
 * The lab's CA (cert-manager: a selfSigned ClusterIssuer signs the CA Certificate, a CA ClusterIssuer signs from
 * its Secret) and the one serving Certificate the ingress gateway presents on every HTTPS port.
 */
export const LAB_TLS = {
    selfSignedIssuer: "homelab-selfsigned",
    caIssuer: "homelab-ca",
    /** The CA Certificate and its Secret live where a ClusterIssuer reads Secrets (cert-manager's namespace). */
    caCertificate: "homelab-ca",
    caSecret: "homelab-ca",
    caCommonName: "homelab lab CA",
    /** Ten years: users trust the CA once. */
    caDuration: "87600h",
    /**
     * Renewed a year before its end (cert-manager's default would be at two thirds of its life), with the same key
     * (rotationPolicy Never): what trusts the old certificate keeps trusting the lab until the old one ends.
     */
    caRenewBefore: "8760h",
    /** The serving Certificate and its Secret, in the gateway's namespace (Istio reads credentialName there). */
    servingCertificate: "homelab-edge",
    servingSecret: "homelab-edge-tls",
    /** One year, renewed a month ahead (macOS refuses serving certificates longer than 825 days, even from a CA the user trusts). */
    servingDuration: "8760h",
    servingRenewBefore: "720h",
    privateKey: { algorithm: "ECDSA", size: 256 },
    /** Key of the CA's PEM in a cert-manager Secret. */
    caKey: "ca.crt",
} as const;
