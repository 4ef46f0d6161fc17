/**
 * The deployment of a configuration with `vantages` (#11): one `serverless deploy` per vantage
 * region, the home region (the first listed, whose stack owns the MRSC state table) first, then
 * the others in the order listed, stopping at the first failure. Building the plan is pure; running
 * it takes the step runner as an argument (deploy/deploy-vantages.ts runs the real one).
 */
import type { ControllerConfig } from '../shared/domain/config.ts';
import { vantageIssues } from './state-table.ts';

/** A deployment that cannot be planned: says what is wrong and what to do. */
export class DeployPlanError extends Error {
  override name = 'DeployPlanError';
}

/** One region's `serverless deploy`. */
export interface DeployStep {
  readonly region: string;
  /** Whether this stack owns the state table (it must exist before the others use it). */
  readonly home: boolean;
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The steps that deploy every vantage of `config` (read from `file`) for the stage and serverless
 * options in `argv` (`--stage` required, `--region` refused: the plan sets it per step).
 *
 * @example
 * vantageDeployPlan(config, 'failover.config.yml', ['--stage', 'prod']).map((s) => s.region);
 * // ['us-east-1', 'us-east-2', 'us-west-2']
 */
export function vantageDeployPlan(
  config: ControllerConfig,
  file: string,
  argv: readonly string[],
): DeployStep[] {
  const vantages = config.vantages;
  if (vantages === undefined) {
    throw new DeployPlanError(
      `${file} has no vantages: it deploys to one region with \`npm run deploy -- --stage <stage> --region <region>\`.`,
    );
  }
  const [home] = vantages.regions;
  const issues = home === undefined ? [] : vantageIssues(vantages, home);
  if (home === undefined || issues.length > 0) {
    throw new DeployPlanError(
      `Cannot deploy ${file}:\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
    );
  }
  if (argv.some((arg) => arg === '--region' || arg.startsWith('--region=') || arg === '-r')) {
    throw new DeployPlanError(
      `--region is set for each step from vantages.regions in ${file} (${vantages.regions.join(', ')}): leave it out.`,
    );
  }
  if (!argv.some((arg, i) => (arg === '--stage' && argv[i + 1] !== undefined) || /^--stage=./.test(arg))) {
    throw new DeployPlanError(
      'Name the stage to deploy: npm run deploy:vantages -- --stage <stage> (every region gets the same stage).',
    );
  }
  return vantages.regions.map((region) => ({
    region,
    home: region === home,
    command: 'npx',
    args: ['serverless', 'deploy', '--region', region, ...argv],
  }));
}

/**
 * Runs the steps in order and returns 0, or the exit code of the first step that failed (the steps
 * after it are not run). `runStep` resolves to a step's exit code.
 *
 * @example
 * const code = await runDeployPlan(plan, (step) => spawnAndWait(step), console.log);
 */
export async function runDeployPlan(
  plan: readonly DeployStep[],
  runStep: (step: DeployStep) => Promise<number>,
  print: (line: string) => void,
): Promise<number> {
  for (const [index, step] of plan.entries()) {
    const role = step.home ? 'home: owns the state table' : 'uses its replica of the state table';
    print(
      `[${index + 1}/${plan.length}] ${step.region} (${role}): ${[step.command, ...step.args].join(' ')}`,
    );
    const code = await runStep(step);
    if (code !== 0) {
      const skipped = plan.slice(index + 1).map((s) => s.region);
      print(
        `${step.region} failed (exit ${code}); stopped` +
          (skipped.length > 0 ? `, not deployed: ${skipped.join(', ')}` : '') +
          '. Fix the cause and run the same command again: regions already deployed are updated in place.',
      );
      return code;
    }
  }
  print(`Deployed ${plan.length} vantages: ${plan.map((s) => s.region).join(', ')}.`);
  return 0;
}
