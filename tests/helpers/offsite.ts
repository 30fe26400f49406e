// The config of a lab with the off-site repository on (a Backblaze B2 bucket), shared by the tests that need it.

/** What `pulumi config set --secret homelab:offsiteBackupAccessKey/SecretKey` hold in these tests. */
export const OFFSITE_ACCESS_KEY = "0034b1ab1e5ac0de0000000001";
export const OFFSITE_SECRET_KEY = "K003Off/site+Secret0Key0of0B2000000000";

export const OFFSITE: Record<string, string> = {
    "homelab:offsiteBackupEndpoint": "s3.eu-central-003.backblazeb2.com",
    "homelab:offsiteBackupBucket": "homelab-backups",
    "homelab:offsiteBackupRegion": "eu-central-003",
    "homelab:offsiteBackupAccessKey": OFFSITE_ACCESS_KEY,
    "homelab:offsiteBackupSecretKey": OFFSITE_SECRET_KEY,
};
