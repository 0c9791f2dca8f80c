export function systemPostgres(): string | null;
export function testPgServer(
  root: string,
  opts?: { log?: (line: string) => void; durable?: boolean },
): Promise<{ url: string; how: string; stop(): Promise<void> }>;
