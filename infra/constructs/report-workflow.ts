/**
 * The report's timer workflow (DESIGN section 4): one Standard execution per report, named by the report ID,
 * input `{ reportId }` only.
 *
 *   Tick (Lambda: act on what is due, plan the next wake-up, say whether the execution is done)
 *     -> Sleep (Lambda .waitForTaskToken: store the token; timeout = the planned wake-up)
 *          woken (SendTaskSuccess)                    -> Tick
 *          States.Timeout                             -> Tick
 *          ReportFinished (SendTaskFailure by arm)    -> Closed (Succeed)
 *
 * Two state transitions per loop (Tick, Sleep); planning and acting are folded into Tick, and the end is
 * decided by arm (Tick said `done`: arm fails its own sleep with ReportFinished) instead of a Choice state,
 * because every transition is billed ($0.025 per 1000 on Standard). No Lambda error is involved (the
 * functions' error alarms stay quiet); a finished execution costs Tick, Sleep, Closed. A sleep never exceeds 7 days (Tick clamps it): a
 * longer wait is the same loop going round. Tick hands over to a new execution after 300 days (Standard
 * executions last at most a year).
 *
 * Only Lambda tasks and JSONPath, no JSONata, variables or direct SDK integrations: the local interpreter
 * (aws-local-stepfunctions) runs this very definition.
 *
 * Data shapes: Tick's output is kept as `{ Payload: <tick result> }` (ResultSelector) and Tick reads the report
 * ID from `$$.Execution.Input`, so every state sees the same shape. Sleep's timeout path is
 * `$.Payload.sleepSeconds`, which resolves both against the state input (Step Functions) and against the
 * effective parameters (aws-local-stepfunctions 3 evaluates TimeoutSecondsPath there).
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { REPORT_FINISHED } from '../../lambdas/ports/workflow';

export interface ReportWorkflowProps {
  tickFunction: lambda.IFunction;
  armFunction: lambda.IFunction;
  /** Execution events (no execution data: IDs only ever pass through, but history is not ours to encrypt). */
  logGroup?: logs.ILogGroup;
  /**
   * A fixed name lets the Tick and Arm functions (and intake) know the ARN without a reference to the state
   * machine, which would be a dependency cycle (the state machine already references the functions). Use
   * `ReportWorkflow.arnFor(stack, name)` for their environment and grants.
   */
  stateMachineName?: string;
}

export class ReportWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  /** The ARN of a state machine named `name` in `stack`, and of its executions, without referencing it. */
  static arnFor(stack: Stack, name: string): { stateMachine: string; executions: string } {
    const arn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    return { stateMachine: arn('stateMachine', name), executions: arn('execution', `${name}:*`) };
  }

  /**
   * What the Workflow port needs (start, wake, isRunning), by name: StartExecution on the state machine,
   * DescribeExecution on its executions, SendTaskSuccess and SendTaskFailure (arm ends a finished execution)
   * on the state machine (as CDK's grantTaskResponse).
   */
  static grantDrive(grantee: iam.IGrantable, stack: Stack, name: string): void {
    const arns = ReportWorkflow.arnFor(stack, name);
    iam.Grant.addToPrincipal({ grantee, actions: ['states:StartExecution'], resourceArns: [arns.stateMachine] });
    iam.Grant.addToPrincipal({ grantee, actions: ['states:DescribeExecution'], resourceArns: [arns.executions] });
    iam.Grant.addToPrincipal({ grantee, actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resourceArns: [arns.stateMachine] });
  }

  constructor(scope: Construct, id: string, props: ReportWorkflowProps) {
    super(scope, id);

    const tick = new tasks.LambdaInvoke(this, 'Tick', {
      lambdaFunction: props.tickFunction,
      payload: sfn.TaskInput.fromObject({
        reportId: sfn.JsonPath.stringAt('$$.Execution.Input.reportId'),
        execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
      }),
      resultSelector: { 'Payload.$': '$.Payload' },
      retryOnServiceExceptions: true,
    });
    // A failing Tick (store throttled, SES hiccup) is retried; its writes are idempotent.
    tick.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6 });

    const sleep = new tasks.LambdaInvoke(this, 'Sleep', {
      lambdaFunction: props.armFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        reportId: sfn.JsonPath.stringAt('$.Payload.reportId'),
        token: sfn.JsonPath.taskToken,
        plannedVersion: sfn.JsonPath.numberAt('$.Payload.plannedVersion'),
        done: sfn.JsonPath.stringAt('$.Payload.done'),
        execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
        sleepSeconds: sfn.JsonPath.numberAt('$.Payload.sleepSeconds'),
      }),
      taskTimeout: sfn.Timeout.at('$.Payload.sleepSeconds'),
      // Woken: the token's output ('{}') is dropped, the plan stays for the next Tick (which re-reads anyway).
      resultPath: sfn.JsonPath.DISCARD,
      retryOnServiceExceptions: true,
    });
    // The timeout is the planned wake-up and ReportFinished the end, not failures: never retried, caught
    // below. (Listed first because States.TaskFailed matches every error but States.Timeout on Step Functions,
    // and States.Timeout too in the local interpreter.)
    sleep.addRetry({ errors: ['States.Timeout', REPORT_FINISHED], maxAttempts: 0 });
    sleep.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 3 });
    sleep.addCatch(new sfn.Succeed(this, 'Closed'), { errors: [REPORT_FINISHED], resultPath: sfn.JsonPath.DISCARD });
    sleep.addCatch(tick, { errors: ['States.Timeout'], resultPath: sfn.JsonPath.DISCARD });
    sleep.next(tick);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      comment: 'One execution per report: Tick acts on due timers and plans; Sleep waits until then or until woken.',
      definitionBody: sfn.DefinitionBody.fromChainable(tick.next(sleep)),
      tracingEnabled: true,
      ...(props.logGroup
        ? { logs: { destination: props.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false } }
        : {}),
    });
  }
}
