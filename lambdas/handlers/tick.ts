/** Lambda for the workflow's `Tick` state: payload `{ reportId, execution }`, returns the plan. */
import { awsDeployment } from '../adapters/aws/deployment';
import { gitHubSecretIn } from '../adapters/aws/github-secret';
import { OctokitGitHub } from '../adapters/github/octokit-github';
import { tick, type TickInput, type TickOutput } from '../app/tick';

/** Only the tick talks to GitHub (issue 14): Octokit is in this bundle, not in the intake's. */
function deps() {
  const d = awsDeployment();
  const secretId = process.env.GITHUB_SECRET_ARN;
  if (!d.github && secretId && d.config.projects.some((p) => p.disclosure)) {
    d.github = new OctokitGitHub(gitHubSecretIn(process.env.AWS_REGION ?? d.config.aws?.region, secretId));
  }
  return d;
}

export const handler = async (event: TickInput): Promise<TickOutput> => tick(deps(), event);
