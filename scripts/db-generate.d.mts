export const PROVIDERS: string[];
export function assembleSchema(provider: string): string;
/** What Prisma's generated client says to load its query compiler. */
export function base64Loader(provider: string): string;
/** What db-generate makes it say: load the .wasm file. */
export function fileLoader(provider: string): string;
/** Writes the .wasm file beside the generated client and points the client at it (throws if the client differs). */
export function useWasmFile(provider: string, dir?: string): void;
