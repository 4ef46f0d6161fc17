/**
 * The control Lambda: `{ action: 'pause' | 'resume', service, reason?, requestedBy? }` →
 * `{ service, action, outcome, message, epoch, paused }`. Invoked by operators (failoverctl pause /
 * resume) with RequestResponse; it changes the service state only, never Route 53.
 */
import middy from '@middy/core';
import { type ControlResponse, runControl } from '../shared/controller/control.ts';
import { type Runtime, runtime } from '../shared/controller/runtime.ts';
import { invocationLog, type LambdaContext } from './lambda-context.ts';
import { logErrors } from './middleware.ts';

export function controlHandler(getRuntime: () => Runtime = () => runtime('control')) {
  const control = async (event: unknown, context: LambdaContext): Promise<ControlResponse> => {
    const rt = getRuntime();
    return runControl(
      { ...rt, log: invocationLog('control', rt.log, context), services: rt.config.services },
      event,
    );
  };
  return middy(control).use(logErrors('control'));
}

export const handler = controlHandler();
