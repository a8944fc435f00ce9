/**
 * The request units DynamoDB bills, as the table reports them: every request of a client is sent with
 * `ReturnConsumedCapacity: TOTAL` and the `ConsumedCapacity` of its answer summed, reads and writes apart
 * (dynalite counts as DynamoDB does: per started KB written, per started 4 KB read strongly consistent, the
 * larger of an item's old and new size; the TransactWriteItems stand-in twice that). A BatchWriteItem of five
 * items is five write units, a transaction of five items ten. Bench only: the application never asks for it.
 */
import type { InitializeHandler, InitializeHandlerArguments, HandlerExecutionContext, MetadataBearer, Pluggable } from '@smithy/types';

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);
const ITEM_COMMANDS = new Set([...WRITE_COMMANDS, 'GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

export class CapacityCounter {
  readUnits = 0;
  writeUnits = 0;

  plugin<Input extends object, Output extends MetadataBearer>(): Pluggable<Input, Output> {
    return {
      applyToStack: (stack) => {
        stack.add(
          (next: InitializeHandler<Input, Output>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<Input>) => {
            const name = context.commandName ?? '';
            if (!ITEM_COMMANDS.has(name)) return next(args);
            const out = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
            const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }).ConsumedCapacity;
            const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((a, c) => a + (c.CapacityUnits ?? 0), 0);
            if (WRITE_COMMANDS.has(name)) this.writeUnits += units;
            else this.readUnits += units;
            return out;
          },
          { step: 'initialize', name: 'benchCapacityCounter', override: true },
        );
      },
    };
  }
}
