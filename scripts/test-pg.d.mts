export function systemPostgres(): string | null;
export function testPgServer(
  root: string,
  opts?: { log?: (line: string) => void },
): Promise<{ url: string; how: string; stop(): Promise<void> }>;
