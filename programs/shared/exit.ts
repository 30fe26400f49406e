// The exit codes every command-line program here answers with, so a script or a game day reads them the same way.

/**
 * Exit codes: thresholds held, a threshold was breached, the run could not be judged (error, timeout, Ctrl-C); a
 * drill's load could not vouch for its fault window (INCONCLUSIVE).
 */
export const EXIT = { ok: 0, breach: 1, error: 2, inconclusive: 3 } as const;
