/** Names inside a local data folder, in a module of their own so read-only CLI commands need nothing else. */
import * as path from 'node:path';

/** The one table's name in the local dynalite. */
export const TABLE_NAME = 'security-intake';

export const dynamoDir = (data: string) => path.join(data, 'dynamo');
export const rawDir = (data: string) => path.join(data, 'raw');
export const outboxDir = (data: string) => path.join(data, 'outbox');
