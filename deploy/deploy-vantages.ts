/**
 * `npm run deploy:vantages -- --stage prod [serverless options]`: `serverless deploy` in every
 * region of `vantages.regions` of failover.config.yml (or `$FAILOVER_CONFIG`), the home region
 * first, stopping at the first failure (deploy/vantage-plan.ts).
 */
import { spawn } from 'node:child_process';
import { ConfigurationError, loadConfig } from '../shared/config/index.ts';
import { DeployPlanError, type DeployStep, runDeployPlan, vantageDeployPlan } from './vantage-plan.ts';

function runStep(step: DeployStep): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

try {
  const config = loadConfig();
  const plan = vantageDeployPlan(config, config.file, process.argv.slice(2));
  process.exitCode = await runDeployPlan(plan, runStep, (line) => process.stdout.write(`${line}\n`));
} catch (error) {
  if (!(error instanceof ConfigurationError || error instanceof DeployPlanError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
