/** Prometheus metrics (GET /metrics). One registry per app so tests can run several. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { BUILD } from '../version.ts';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'csirt_build_info',
    help: 'The running build: always 1, its labels say which (version, commit, Node.js)',
    labelNames: ['version', 'commit', 'node'] as const,
    registers: [registry],
  }).set({ version: BUILD.version, commit: BUILD.commit, node: BUILD.node }, 1);
  return {
    registry,
    commands: new Counter({
      name: 'csirt_commands_total',
      help: 'Commands handled, by command and outcome',
      labelNames: ['command', 'outcome', 'platform'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'csirt_command_duration_seconds',
      help: 'Time to handle a command',
      labelNames: ['command'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'csirt_deliveries_total',
      help: 'Outbox deliveries settled, by platform and outcome',
      labelNames: ['platform', 'outcome'] as const,
      registers: [registry],
    }),
    journal: new Counter({
      name: 'csirt_command_journal_total',
      help: 'Acknowledged commands left by a stopped process, by outcome: replayed, taken_over (this process was too slow), given_up',
      labelNames: ['platform', 'outcome'] as const,
      registers: [registry],
    }),
    credentialsRefused: new Gauge({
      name: 'csirt_platform_credentials_refused',
      help: "1 while a chat platform refuses the bot's credentials (token revoked or expired): its deliveries are stopped; alert on it",
      labelNames: ['platform'] as const,
      registers: [registry],
    }),
    credentialAlerts: new Counter({
      name: 'csirt_platform_credential_alerts_total',
      help: "Times a chat platform started refusing the bot's credentials (one alert each)",
      labelNames: ['platform'] as const,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'csirt_auth_failures_total',
      help: 'Requests refused for failed authenticity checks, by endpoint and reason',
      labelNames: ['endpoint', 'reason'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
