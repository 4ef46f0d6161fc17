// Resolves the deployment's configuration-dependent values for serverless.yml:
//   ${file(./deploy/deployment.cjs):<name>}
// osls loads variable files with require(); the real work is in deployment.ts (typed, tested),
// which loads and validates the same failover.config.yml the functions bundle.
'use strict';
const { pathToFileURL } = require('node:url');
const path = require('node:path');

module.exports = async ({ options }) => {
  const { deploymentValues } = await import(pathToFileURL(path.join(__dirname, 'deployment.ts')).href);
  return deploymentValues({ stage: options.stage, region: options.region });
};
