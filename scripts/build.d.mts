/** Why root's dist/ must be built again (a sentence), or null when it is up to date. */
export function staleReason(root?: string): string | null;
/** Builds root's dist/ from a clean directory (esbuild). */
export function build(root?: string): Promise<void>;
/** The compiled entry point `npm start` runs, relative to the package root. */
export const ENTRY: string;
/** node's options the bot is started with (npm start, the systemd unit, the bench). */
export const START_FLAGS: string[];
/** The environment the bot is started with besides its configuration (glibc malloc settings). */
export const START_ENV: Record<string, string>;
/** `START_ENV… node START_FLAGS… dist/main.js`, as package.json's start says it. */
export function startCommand(): string;
/** The build's esbuild options, for another entry point and output directory (tests/bench). */
export function esbuildOptions(root?: string, entryPoints?: string[], outdir?: string): import('esbuild').BuildOptions;
/** `code` with every non-ASCII character written as \uXXXX (throws when one follows a backslash). */
export function asciiOnly(code: string, file?: string): string;
