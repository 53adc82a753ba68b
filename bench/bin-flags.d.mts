/** The node options on a build's bin line (bench/bin-flags.mjs). */
export function binFlags(file: string): string[];
