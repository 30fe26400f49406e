// The part of s3rver 3.7's API the pgBackRest test uses (the package ships no types): lib/s3rver.js.
declare module "s3rver" {
    interface S3rverOptions {
        address?: string;
        /** 0 picks a free port; run() reports it. */
        port?: number;
        silent?: boolean;
        /** Where the buckets' objects are kept as files. */
        directory: string;
        configureBuckets?: { name: string; configs: string[] }[];
    }
    export default class S3rver {
        constructor(options: S3rverOptions);
        run(): Promise<{ address: string; port: number }>;
        close(): Promise<void>;
    }
}
