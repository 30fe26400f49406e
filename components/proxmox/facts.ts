// The Proxmox part's facts: what it asks of the Proxmox host (content types, version) and the VMs' CPU type.

/** The Proxmox content type a datastore must allow to keep the cloud image for `importFrom`. */
export const IMAGE_CONTENT_TYPE = "import";

/** The Proxmox content type a datastore must allow to keep VM disks and cloud-init drives. */
export const VM_DISK_CONTENT_TYPE = "images";

/** Oldest Proxmox VE with the `import` content type the image download and `importFrom` rely on. */
export const PROXMOX_MIN_VERSION = { major: 8, minor: 4 } as const;

/** The Proxmox CPU type that exposes x86-64-v2 and AES-NI (the default qemu64 is slow). */
export const VM_CPU_TYPE = "x86-64-v2-AES";
