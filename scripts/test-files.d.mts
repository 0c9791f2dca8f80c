export function testFiles(root: string): string[];
export const USES_DB: RegExp;
export function usesDb(root: string, file: string): boolean;
export const CHAOS_FILES: string[];
