// How a client part reaches the data stores: the data part fills these, the stack hands them to the client (Shlink),
// which so never reads the data part's modules (the Redis rotation's keys and templates come on the connection).
// A shared contract: it imports no part.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** How a client reaches the database; resolves once the cluster is ready. */
export interface DatabaseConnection {
    /** DNS name of the Service that follows the primary. */
    host: pulumi.Output<string>;
    port: number;
    database: string;
    user: string;
    /** The user's password (secret). */
    password: pulumi.Output<string>;
}

/**
 * What a Redis client needs to follow a password rotation without an outage: its Secret (an ExternalSecret reading
 * Vault's redis/auth entry) holds the previous password until the rotation Job proved every redis pod accepts the
 * new one, then switches; a Job in the client's namespace proves the switch before Pulumi rolls the client.
 */
export interface RedisClientRotation {
    /** The template keys the client's ExternalSecret reads redis/auth's password, previous password and generation into. */
    templateKeys: { readonly password: string; readonly previous: string; readonly generation: string };
    /** The ESO template of the password the client's Secret holds. */
    passwordTemplate: string;
    /** The ESO template of the generation the client's Secret holds, under `generationKey` (what the wait Job reads). */
    generationTemplate: string;
    generationKey: string;
    /** The client's pod-template annotation of a rotated generation (none for the first password, so nothing restarts). */
    podAnnotations: Record<string, string> | undefined;
    /** How long the wait Job's script waits for the client's Secret (the client gives its Job twice that). */
    waitSeconds: number;
    /** The spec of the Job that completes once the client's Secret `secretName` holds the ready generation. */
    waitJobSpec(secretName: pulumi.Input<string>): k8s.types.input.batch.v1.JobSpec;
}

/** How a client reaches the current master; resolves once a master is serving. */
export interface RedisConnection {
    /** DNS name of our Service that selects the master pod. */
    host: pulumi.Output<string>;
    port: number;
    /** requirepass of every redis pod (secret). */
    password: pulumi.Output<string>;
    /** The generation clients may switch to, and what must complete before (the rotation Job, when one runs). */
    readyGeneration: number;
    rotated: pulumi.Resource[];
    /** How the client's Secret and pods follow a rotation to `readyGeneration`. */
    rotation: RedisClientRotation;
}
