/**
 * The forced-flip Lambda: `{ direction: 'failover' | 'failback', service, reason, requestedBy? }` →
 * the same answer as the failover and failback functions. Moves traffic even when the target fails
 * its re-check; a function of its own so IAM can grant planned flips without granting force.
 */
import { forcedFlipHandler } from './flip-handler.ts';

export const handler = forcedFlipHandler();
