/**
 * Whether a replica should take traffic (`GET /health/ready`), as a load balancer or an
 * orchestrator asks. Live (/health ok) is not enough: a replica that starts with read models far
 * behind the store takes writes, but its reads wait and then answer 503 READ_MODEL_LAGGING until
 * the projections have caught up.
 */
export type Readiness = 'ready' | 'starting' | 'degraded';

export interface ReadinessInput {
  /** /health's verdict: a projection stopped, the subscription failing, a damaged file. */
  degraded: boolean;
  /** Whether the read models are known to come from this store (the start-up check). */
  verified: boolean;
  /** Each projection's checkpoint. */
  checkpoints: readonly number[];
  /** The head of $all when readiness was first asked: the catch-up to reach once. */
  startHead: number;
}

export function readinessOf(input: ReadinessInput): Readiness {
  if (input.degraded) return 'degraded';
  if (!input.verified) return 'starting';
  return input.checkpoints.every((c) => c >= input.startHead) ? 'ready' : 'starting';
}
