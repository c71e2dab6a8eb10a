/** What a simulator may be called (its state folder is sims/<name>). */
export const SIM_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/
