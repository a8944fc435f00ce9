/**
 * Counts the requests an SDK client sends, by command name (`PutItemCommand`, `BatchWriteItemCommand`...), for
 * the benchmark's "DynamoDB requests per inbound message". Retries are counted once per attempt because the
 * middleware sits in the `finalizeRequest` step, after the retry middleware: that is what AWS bills.
 */
import type { FinalizeHandler, FinalizeHandlerArguments, HandlerExecutionContext, MetadataBearer, Pluggable } from '@smithy/types';

export class RequestCounter {
  private readonly counts = new Map<string, number>();

  /** Add to a client: `client.middlewareStack.use(counter.plugin())`. */
  plugin<Input extends object, Output extends MetadataBearer>(): Pluggable<Input, Output> {
    return {
      applyToStack: (stack) => {
        stack.add(
          (next: FinalizeHandler<Input, Output>, context: HandlerExecutionContext) =>
            async (args: FinalizeHandlerArguments<Input>) => {
              const name = context.commandName ?? 'unknown';
              this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
              return next(args);
            },
          { step: 'finalizeRequest', name: 'securityIntakeRequestCounter', override: true },
        );
      },
    };
  }

  /** Requests so far, by command name. */
  byCommand(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  reset(): void {
    this.counts.clear();
  }
}
