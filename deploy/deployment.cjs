// Resolves the deployment's configuration-dependent values for serverless.yml:
//   ${file(./deploy/deployment.cjs):<name>}
// osls loads variable files with require(); the real work is in deployment.ts (typed, tested),
// which loads and validates the same failover.config.yml the functions bundle.
'use strict';
const { pathToFileURL } = require('node:url');
const path = require('node:path');

const load = (file) => import(pathToFileURL(path.join(__dirname, file)).href);

module.exports = async ({ options, resolveConfigurationProperty }) => {
  const [{ deploymentValues }, { ConfigurationError }] = await Promise.all([
    load('deployment.ts'),
    load('../shared/config/index.ts'),
  ]);
  try {
    // The state table's name is `<service>-<stage>-state`: the service name comes from serverless.yml.
    const service = await resolveConfigurationProperty(['service']);
    return deploymentValues({ stage: options.stage, region: options.region, service });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    // osls wraps whatever a variable resolver throws in its own report, with the error's stack
    // trace (about 15 lines of osls frames around the one line that matters). The loader's
    // message already names the file, the field, the line and what to do: print it alone and stop
    // here, before anything is packaged or sent to AWS.
    process.stderr.write(
      `${error.message}\n\nserverless stopped: fix the failover configuration above (nothing was packaged or deployed).\n`,
    );
    process.exit(1);
  }
};
