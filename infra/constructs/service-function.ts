/**
 * The one way this app makes a Lambda function (STYLE: one construct bakes in the defaults). Every function gets:
 * Node 24 on arm64, bundled by the local esbuild (no Docker) for a node22 target, source maps, a KMS-encrypted log
 * group with a retention, a role whose only built-in permission is writing to that log group, and the deployment
 * config compiled into the bundle.
 *
 * Why the config is compiled in and not an environment variable: Lambda's environment is limited to 4 KB in total
 * (Lambda quotas), and a config with a few projects, calendars and holidays passes that. esbuild `define` replaces
 * `process.env.SECINTAKE_CONFIG` with the JSON text; a config change changes the bundle hash, so it redeploys.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import type { Config } from '../../lambdas/core/config';

/** The newest Lambda Node runtime in aws-cdk-lib 2.276 (cdk-nag AwsSolutions-L1 wants the latest). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
/** esbuild target: Lambda's runtime is newer, but the same code also runs on Node >= 22 elsewhere. */
export const BUNDLE_TARGET = 'node22';
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
/**
 * What the Lambda Node.js runtime (nodejs18.x and later, nodejs24.x included) provides in /var/runtime/node_modules:
 * the AWS SDK for JavaScript v3, its client packages and the DynamoDB document client (`@aws-sdk/lib-dynamodb`),
 * at the runtime's own version. These few, the ones our handlers import, are left out of the bundles; everything
 * else (Powertools, which AWS ships as a layer and not in the runtime; mailparser; mailauth; ...) is bundled.
 * An explicit list, not `@aws-sdk/*`: a package added later is bundled until someone checks the runtime has it.
 * test/infra/deployed-artifact.test.ts runs each bundle with exactly these modules resolvable.
 */
export const RUNTIME_PROVIDED_MODULES = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-ses',
  '@aws-sdk/client-sfn',
  '@aws-sdk/lib-dynamodb',
] as const;

const ESBUILD = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'esbuild');

/**
 * One copy of a package where npm nested several of the same version (mailparser's and libmime's iconv-lite
 * 0.7.3, about 0.5 MB each with their code-page tables), and the CommonJS build where our `import` and a
 * dependency's `require` would otherwise bundle both the .mjs and the .cjs of one package.
 */
const ONE_COPY = {
  'iconv-lite': path.join(PROJECT_ROOT, 'node_modules', 'libmime', 'node_modules', 'iconv-lite'),
  'html-to-text': path.join(PROJECT_ROOT, 'node_modules', 'html-to-text', 'lib', 'html-to-text.cjs'),
};

/**
 * iconv-lite's double-byte code-page tables (Chinese, Japanese, Korean; 0.4 MB minified) are required on first use
 * of such a charset, as `require('./tables/<name>.json')`: left out of the bundle and copied beside it, they are
 * read only by an invocation that decodes such mail.
 */
const ICONV_TABLES = path.join(ONE_COPY['iconv-lite'], 'encodings', 'tables');

/**
 * Modules required at load by mailparser and libmime that only some mail needs: in the bundle each is replaced
 * by a stand-in that requires, on first use, a file built beside index.js (`./<name>.js`, left external).
 * html-to-text goes with the whole HTML stack of visible-text.ts (HTML-only mail); encoding-japanese holds
 * ISO-2022-JP's tables.
 */
const LAZY_STAND_INS = {
  'html-to-text': path.join(PROJECT_ROOT, 'lambdas', 'adapters', 'lazy-html-to-text.js'),
  'encoding-japanese': path.join(PROJECT_ROOT, 'lambdas', 'adapters', 'lazy-encoding-japanese.js'),
};
/** Files built beside index.js, required by a relative path (`./visible-text`): by the stand-ins and our own code. */
const LAZY_FILES: Record<string, string> = {
  'visible-text': path.join(PROJECT_ROOT, 'lambdas', 'adapters', 'visible-text.ts'),
  'encoding-japanese': require.resolve('encoding-japanese', { paths: [PROJECT_ROOT] }),
};

/** The esbuild command line that bundles `entry` alone into `outfile` (the SDK the runtime provides left out). */
function esbuildCommand(entry: string, outfile: string, extra: string[] = []): string {
  const args = [
    JSON.stringify(entry),
    '--bundle',
    '--platform=node',
    `--target=${BUNDLE_TARGET}`,
    '--format=cjs',
    '--minify',
    '--keep-names',
    '--sourcemap',
    '--sources-content=false',
    '--log-level=warning',
    `--outfile=${JSON.stringify(outfile)}`,
    ...RUNTIME_PROVIDED_MODULES.map((m) => `--external:${m}`),
    ...extra,
  ];
  return [JSON.stringify(ESBUILD), ...args].join(' ');
}

function lazyFileCommand(name: string, entry: string, outputDir: string): string {
  return esbuildCommand(entry, path.join(outputDir, `${name}.js`), Object.entries(ONE_COPY).map(([m, to]) => `--alias:${m}=${JSON.stringify(to)}`));
}

/** esbuild command that builds `module` (a package path) into `<outputDir>/node_modules/<module>.js`. */
function lazyModuleCommand(module: string, outputDir: string): string {
  return esbuildCommand(require.resolve(module, { paths: [PROJECT_ROOT] }), path.join(outputDir, 'node_modules', `${module}.js`));
}

export interface ServiceFunctionProps {
  /** Path of the handler file relative to the project root, e.g. `lambdas/handlers/intake.ts` (exports `handler`). */
  entry: string;
  description: string;
  /** Compiled into the bundle as process.env.SECINTAKE_CONFIG; omit for functions that do not read it. */
  config?: Config;
  /** Encrypts the log group. */
  key: kms.IKey;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  /** Async invocations (SES's Lambda action is one): retries, and where an event goes after the last one. */
  onFailure?: sqs.IQueue;
  retryAttempts?: number;
  logRetention?: logs.RetentionDays;
  /**
   * Modules only some invocations need (the DKIM verifier: only mail from a maintainer's address), required on
   * first use: each is built into a file of its own in the asset (node_modules/<module>.js), so a cold start that
   * does not need it neither loads nor parses it.
   */
  lazyModules?: string[];
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.key,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });

    // A role of our own instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every log group).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description}: writes its own log group; everything else is granted explicitly`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const lazy = props.lazyModules ?? [];
    const define: Record<string, string> = {};
    if (props.config) define['process.env.SECINTAKE_CONFIG'] = JSON.stringify(JSON.stringify(props.config));

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'security-intake',
        ...props.environment,
      },
      retryAttempts: props.retryAttempts,
      onFailure: props.onFailure ? new SqsDestination(props.onFailure) : undefined,
      bundling: {
        target: BUNDLE_TARGET,
        format: OutputFormat.CJS,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        minify: true,
        keepNames: true,
        define,
        // The Lambda Node runtime ships AWS SDK v3; bundling it would add megabytes to every cold start.
        externalModules: [...RUNTIME_PROVIDED_MODULES, ...lazy, './tables/*', ...Object.keys(LAZY_FILES).map((name) => `./${name}*`)],
        esbuildArgs: Object.fromEntries(
          Object.entries({ ...ONE_COPY, ...LAZY_STAND_INS }).map(([name, to]) => [`--alias:${name}`, to]),
        ),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp -R ${JSON.stringify(ICONV_TABLES)} ${JSON.stringify(path.join(outputDir, 'tables'))}`,
            ...lazy.map((m) => lazyModuleCommand(m, outputDir)),
            ...Object.entries(LAZY_FILES).map(([name, entry]) => lazyFileCommand(name, entry, outputDir)),
          ],
        },
        forceDockerBundling: false,
      },
    });
  }
}
