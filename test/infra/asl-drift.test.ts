import { readFileSync } from 'node:fs';
import { ASL_PATH, synthesizeWorkflowAsl } from '../../infra/write-asl';

test('the committed local ASL is what CDK synthesizes (run `npm run asl` after changing the workflow)', () => {
  const definition = synthesizeWorkflowAsl();
  expect(readFileSync(ASL_PATH, 'utf8')).toBe(definition);
  // Lambda tasks and JSONPath only: the local interpreter runs nothing else.
  const states = Object.values(JSON.parse(definition).States as Record<string, { Type: string; Resource?: string }>);
  expect(states.filter((s) => s.Type === 'Task').map((s) => s.Resource)).toEqual([
    'arn:aws:states:::lambda:invoke',
    'arn:aws:states:::lambda:invoke.waitForTaskToken',
  ]);
  expect(definition).not.toContain('JSONata');
});
