/**
 * Workflow port on Step Functions. One Standard execution per report generation, named by the report ID
 * (generation 0) or `<reportId>-g<n>` (reopen, release, hand-over); the input is `{ reportId }` only: no report content in execution
 * history. Locally the same class talks to the Step Functions stand-in through an endpoint override.
 */
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { executionName, REPORT_FINISHED, type Workflow } from '../../ports/workflow';

export { executionName };

/** Errors that mean "this token can no longer be returned": the sleep already ended, which is what we want. */
const STALE_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export interface SfnWorkflowOptions {
  client: SFNClient;
  stateMachineArn: string;
}

export class InvalidStateMachineArn extends Error {
  override readonly name = 'InvalidStateMachineArn';
  constructor(arn: string) {
    super(`${JSON.stringify(arn)} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`);
  }
}

export class SfnWorkflow implements Workflow {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(options: SfnWorkflowOptions) {
    this.client = options.client;
    this.stateMachineArn = options.stateMachineArn;
  }

  async start(reportId: string, generation = 0): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionName(reportId, generation),
          input: JSON.stringify({ reportId }),
        }),
      );
    } catch (e) {
      // Same name: it runs already (or ran: Standard names stay taken for 90 days). Either way not ours to redo.
      if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
    }
  }

  async wake(token: string): Promise<void> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    } catch (e) {
      if (!STALE_TOKEN_ERRORS.has((e as Error).name)) throw e;
    }
  }

  async finish(token: string): Promise<void> {
    try {
      await this.client.send(
        new SendTaskFailureCommand({ taskToken: token, error: REPORT_FINISHED, cause: 'the report needs no more timers' }),
      );
    } catch (e) {
      if (!STALE_TOKEN_ERRORS.has((e as Error).name)) throw e;
    }
  }

  async isRunning(reportId: string, generation = 0): Promise<boolean> {
    try {
      const out = await this.client.send(
        new DescribeExecutionCommand({ executionArn: this.executionArn(executionName(reportId, generation)) }),
      );
      return out.status === 'RUNNING';
    } catch (e) {
      if ((e as Error).name === 'ExecutionDoesNotExist') return false;
      throw e;
    }
  }

  /** arn:aws:states:<region>:<account>:stateMachine:<name> -> ...:execution:<name>:<execution name> */
  executionArn(name: string): string {
    const parts = this.stateMachineArn.split(':');
    if (parts.length !== 7 || parts[5] !== 'stateMachine') throw new InvalidStateMachineArn(this.stateMachineArn);
    return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
  }
}
