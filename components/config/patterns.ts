// Shapes of config values that only the loader checks (shared ones, such as DNS labels, are in defaults.ts).

/** A Proxmox API token as `pulumi config set --secret proxmoxve:apiToken` takes it. */
export const PROXMOX_TOKEN_PATTERN = /^[^@\s]+@[^!\s]+![^=\s]+=[0-9a-fA-F-]{36}$/;
/** A Linux user name cloud-init can create. */
export const LINUX_USER_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;
/** One OpenSSH public key line: type, base64 blob, optional comment. */
export const SSH_PUBLIC_KEY_PATTERN = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com) ([A-Za-z0-9+/=]+)( .*)?$/;
/** The armour line of any PEM or OpenSSH private key. */
export const PRIVATE_KEY_ARMOUR_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** A SHA-256 digest as Ubuntu publishes it. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
/** Disk image names Proxmox's `import` content type accepts. */
export const IMPORT_FILE_NAME_PATTERN = /^[A-Za-z0-9._-]+\.(qcow2|raw|vmdk)$/;
/** A Docker Hub user name: letters, digits, and the separators Docker Hub allows. */
export const DOCKER_HUB_USER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
