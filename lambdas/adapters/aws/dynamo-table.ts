/**
 * The one table's key schema (DESIGN section 5, layout in ports/report-store.ts). The CDK table construct
 * mirrors these names: string keys pk/sk, GSI `byProject` on gsi1pk/gsi1sk projecting all attributes.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export const GSI_BY_PROJECT = 'byProject';

/** The table's TTL attribute (epoch seconds): DynamoDB deletes an item some time after it passes (issue 19,
 *  retention). dynalite never expires items: the local stack deletes them itself when its clock passes. */
export const EXPIRES_AT = 'expiresAt';

export const TABLE_SCHEMA = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
    { AttributeName: 'gsi1sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: GSI_BY_PROJECT,
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      // ALL: a listing shows whole reports without a second read per report
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const satisfies Omit<CreateTableCommandInput, 'TableName'>;

/** Creates the table if it does not exist (local runs and tests; on AWS the CDK stack owns it). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          ...TABLE_SCHEMA,
          AttributeDefinitions: [...TABLE_SCHEMA.AttributeDefinitions],
          KeySchema: [...TABLE_SCHEMA.KeySchema],
          GlobalSecondaryIndexes: TABLE_SCHEMA.GlobalSecondaryIndexes.map((gsi) => ({
            ...gsi,
            KeySchema: [...gsi.KeySchema],
          })),
        }),
      );
    } catch (createErr) {
      // another process created it first: fine, wait for it below
      if (!(createErr instanceof ResourceInUseException)) throw createErr;
    }
  }
  for (let attempt = 0; attempt < 60; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`DynamoDB table ${tableName} did not become ACTIVE within 15 s`);
}
