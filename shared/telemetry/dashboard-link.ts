/**
 * Where an operator finds the stack's CloudWatch dashboard. The dashboard is named after the stack
 * (`failover-controller-<stage>`); the deploy gives every function its URL (`DASHBOARD_URL`), and
 * `failoverctl status` computes it from `--stage` and the region when that variable is not set.
 */

/** The variable that carries the dashboard's URL to the functions (and, if set, to failoverctl). */
export const DASHBOARD_URL_VARIABLE = 'DASHBOARD_URL';

/**
 * The dashboard's console URL as a CloudFormation `Fn::Sub` template: the region and stack name
 * are filled in at deploy time. (The commercial-partition console; China and GovCloud use others.)
 */
export const DASHBOARD_URL_TEMPLATE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub placeholders, resolved by CloudFormation.
  'https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${AWS::StackName}';

/**
 * The name of the dashboard of one stage (the stack's name).
 *
 * @example
 * dashboardName('prod'); // 'failover-controller-prod'
 */
export function dashboardName(stage: string): string {
  return `failover-controller-${stage}`;
}

/**
 * The console URL of a dashboard.
 *
 * @example
 * dashboardUrl('eu-west-1', 'failover-controller-prod');
 * // 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/failover-controller-prod'
 */
export function dashboardUrl(region: string, name: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#dashboards/dashboard/${encodeURIComponent(name)}`;
}
