/**
 * The failover Lambda: `{ service, reason?, requestedBy?, epoch?, dryRun?, force? }` →
 * `{ service, outcome, from, to, epoch, changeId, timings }`. Invoked asynchronously by the
 * watchdog (with the epoch it decided on) or by an operator for a planned failover.
 */
import { flipHandler } from './flip-handler.ts';

export const handler = flipHandler('failover');
