/**
 * The failback Lambda: the mirror of failover. Automatic when policy allows, or on an operator's
 * request; re-verifies the primary right before flipping; clears any operator hold.
 */
import { flipHandler } from './flip-handler.ts';

export const handler = flipHandler('failback');
