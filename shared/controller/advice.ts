/**
 * What the reader of a notification should do next, and how loudly to say it.
 */
import type { ServiceConfig } from '../domain/config.ts';
import type { EventKind } from '../domain/events.ts';
import type { Notification } from '../domain/ports.ts';

export interface Advice {
  readonly severity: Notification['severity'];
  readonly next: string;
}

export function failoverAdvice(service: ServiceConfig, event: EventKind): Advice {
  if (event === 'failover-refused') {
    return {
      severity: 'critical',
      next: `The standby is not healthy either: check both targets of ${service.name} now. Force a failover only if you know the standby can serve (failoverctl failover ${service.name} --force).`,
    };
  }
  if (event === 'failover-failed') {
    return {
      severity: 'critical',
      next: `Traffic did not move and is still on the primary of ${service.name}. If Route 53's API is impaired, the watchdog keeps trying by itself; check failoverctl status ${service.name} and history, and retry by hand when Route 53 answers (failoverctl failover ${service.name}).`,
    };
  }
  if (event === 'failback-rolled-back') {
    return {
      severity: 'critical',
      next: `A gradual failback of ${service.name} was rolled back: the target it returned to failed during the ramp, and all traffic is on the standby again. Investigate that target (cold caches, a database catching up) before failing back again; see failoverctl history ${service.name} and the runbook ("A gradual failback rolled back").`,
    };
  }
  if (event === 'planned-failover') {
    return {
      severity: 'warning',
      next: `Traffic stays on the standby until someone fails back: failoverctl failback ${service.name}.`,
    };
  }
  const back =
    service.policy.failback === 'auto'
      ? `Failback is automatic once the primary has been healthy for ${service.policy.recoveryThreshold} rounds and ${service.policy.minDwellSeconds} s have passed.`
      : `Failback is manual: when the primary is healthy, run failoverctl failback ${service.name}.`;
  return { severity: 'critical', next: `Investigate the primary of ${service.name}. ${back}` };
}

export function failbackAdvice(service: ServiceConfig, event: EventKind): Advice {
  if (event === 'failback-failed') {
    return {
      severity: 'error',
      next: `Traffic did not move and stays on the standby of ${service.name}. Check failoverctl history ${service.name}; retry when Route 53 answers (failoverctl failback ${service.name}).`,
    };
  }
  if (event === 'failback-refused') {
    return {
      severity: 'error',
      next: `The primary of ${service.name} failed its re-check: traffic stays on the standby. Check the primary before trying again.`,
    };
  }
  if (event === 'failback-started') {
    return {
      severity: 'info',
      next: `Traffic returns in steps; each step waits for the target to stay healthy. Follow it with failoverctl status ${service.name}; a failure sends all traffic back to the standby at once, and failoverctl failback ${service.name} --steps 100 finishes it now.`,
    };
  }
  return {
    severity: 'info',
    next: `Traffic is back on the primary of ${service.name}. Nothing to do; review the history if this repeats.`,
  };
}

/** Advice for what the watchdog announces (both down, blocked, ready to fail back, frozen, reconciled). */
export function watchdogAdvice(service: ServiceConfig, event: EventKind): Advice {
  switch (event) {
    case 'failover-failed':
      return failoverAdvice(service, event);
    case 'failback-failed':
      return failbackAdvice(service, event);
    case 'both-down':
      return {
        severity: 'critical',
        next: `Both targets of ${service.name} are failing: nothing was changed (failing static). Restore either side; the controller fails over as soon as the standby is healthy.`,
      };
    case 'failover-blocked':
      return {
        severity: 'critical',
        next: `The primary of ${service.name} is down and the standby is healthy, but automation is paused or held. Fail over by hand (failoverctl failover ${service.name}) or resume automation.`,
      };
    case 'failback-ready':
      return {
        severity: 'info',
        next: `The primary of ${service.name} has been healthy long enough. Fail back when ready: failoverctl failback ${service.name}.`,
      };
    case 'flapping-frozen':
      return {
        severity: 'error',
        next: `${service.name} failed back too often in the last hour; automatic failback is frozen and traffic stays on the standby. Find out why the primary flaps, then fail back by hand.`,
      };
    case 'reconciled':
      return {
        severity: 'warning',
        next: `Check who changed the records of ${service.name} (CloudTrail). Automation holds off until an operator fails over or back with failoverctl.`,
      };
    case 'quorum-lost':
      return {
        severity: 'critical',
        next: `Too few vantages are voting on ${service.name}: automation holds traffic where it is. Check the watchdogs of the silent regions (failoverctl status ${service.name} shows each vantage's last vote); fail over by hand if the primary is down.`,
      };
    case 'vantage-disagrees':
      return {
        severity: 'info',
        next: `A minority of vantages sees ${service.name} otherwise than the quorum; nothing moved. Check the network path from those regions.`,
      };
    case 'vantage-blind':
      return {
        severity: 'error',
        next: `This vantage reaches neither target of ${service.name} nor the canary: its network is at fault, and it abstains until it sees again. The other vantages still decide.`,
      };
    case 'drain-refused':
      return {
        severity: 'critical',
        next: `A DOWN target of ${service.name} still has weight: draining it would leave fewer UP targets than minHealthyTargets, so the weights stay as they are (fail static). Restore a target or add capacity; to drain anyway, pause ${service.name} and set the weights in Route 53 by hand (see the runbook, "drain-refused").`,
      };
    default:
      return { severity: 'warning', next: `See failoverctl status ${service.name} and history.` };
  }
}
