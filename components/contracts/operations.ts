// One quarter of a part's contract (components/contracts/part.ts). A shared contract: it imports no part.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the layers become generic
export interface PartOperations {}
