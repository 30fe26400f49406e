import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPERATOR_NAMESPACES } from "../contracts/operators";
import { LAB_TLS } from "./facts";
import { childName } from "../kubernetes/names";
import { WAIT_FOR_READY } from "../kubernetes/wait";
import { CERT_MANAGER_API_VERSION, caCertificateSpec, caIssuerSpec, selfSignedIssuerSpec, servingCertificateSpec, type LabAddresses } from "./certificates";

export interface LabTlsArgs {
    /** Every address and name the lab is reached on: the serving certificate names them all. */
    addresses: LabAddresses;
    /** Namespace the ingress gateway runs in (an Output of our Namespace): Istio reads credentialName there. */
    gatewayNamespace: pulumi.Input<string>;
    /** The cert-manager release: its CRDs and webhook must exist before any issuer or certificate. */
    certManager: pulumi.Resource;
}

/**
 * The lab's own CA from cert-manager: a selfSigned ClusterIssuer signs a long-lived CA certificate, a CA
 * ClusterIssuer signs from it, and one serving certificate names every address the lab is reached on. The CA's
 * certificate (never its key) is read back for users to trust.
 */
export class LabTls extends pulumi.ComponentResource {
    /** The CA certificate, PEM (no secret: it is what users install to trust the lab). */
    public readonly caCertificate: pulumi.Output<string>;
    /** The Secret the serving certificate is written to, in the gateway's namespace: every HTTPS server's credentialName. */
    public readonly credentialName: string = LAB_TLS.servingSecret;
    /** The serving certificate: HTTPS servers wait for it to be issued. */
    public readonly servingCertificate: k8s.apiextensions.CustomResource;

    constructor(name: string, args: LabTlsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:edge:LabTls", name, {}, opts);
        // cert-manager's CRDs come with its release (side effect, no data link).
        const afterCertManager = (more: pulumi.Resource[] = []) => ({ parent: this, dependsOn: [args.certManager, ...more] });
        const object = (role: string, kind: string, metadata: object, spec: object, more?: pulumi.Resource[]) =>
            new k8s.apiextensions.CustomResource(childName(name, role), { apiVersion: CERT_MANAGER_API_VERSION, kind, metadata, spec }, afterCertManager(more));

        const selfSigned = object("selfsigned-issuer", "ClusterIssuer", { name: LAB_TLS.selfSignedIssuer }, selfSignedIssuerSpec());
        const ca = object("ca-certificate", "Certificate", certificateMetadata(LAB_TLS.caCertificate, OPERATOR_NAMESPACES.certManager), caCertificateSpec(), [
            selfSigned,
        ]);
        const caIssuer = object("ca-issuer", "ClusterIssuer", { name: LAB_TLS.caIssuer }, caIssuerSpec(), [ca]);
        this.servingCertificate = object(
            "serving-certificate",
            "Certificate",
            certificateMetadata(LAB_TLS.servingCertificate, args.gatewayNamespace),
            servingCertificateSpec(args.addresses),
            [caIssuer],
        );
        this.caCertificate = caCertificatePem(name, ca, this);
        this.registerOutputs({ caCertificate: this.caCertificate });
    }
}

/** A Certificate's metadata: Pulumi reports it created only once cert-manager has issued it. */
function certificateMetadata(certificateName: string, namespace: pulumi.Input<string>) {
    return { name: certificateName, namespace, annotations: { ...WAIT_FOR_READY } };
}

/**
 * The CA's certificate, read back from the Secret cert-manager wrote. The read's id waits for the Certificate's id,
 * which a preview does not know until the Certificate exists (its namespace is an input, known in any preview): the
 * first preview reads nothing that is not there yet. Only the certificate is unsecreted.
 */
function caCertificatePem(name: string, ca: k8s.apiextensions.CustomResource, parent: pulumi.Resource): pulumi.Output<string> {
    const id = pulumi.all([ca.id, ca.metadata.namespace]).apply(([, namespace]) => `${namespace}/${LAB_TLS.caSecret}`);
    const secret = k8s.core.v1.Secret.get(childName(name, "ca-secret"), id, { parent });
    const pem = secret.data.apply((data) => {
        const encoded = data?.[LAB_TLS.caKey];
        if (encoded === undefined) {
            throw new Error(
                `cert-manager's Secret ${LAB_TLS.caSecret} has no ${LAB_TLS.caKey}: kubectl describe certificate -n cert-manager ${LAB_TLS.caCertificate}`,
            );
        }
        return Buffer.from(encoded, "base64").toString("utf8");
    });
    return pulumi.unsecret(pem);
}
