import { PowertoolsMetricsAdapter } from '../../../lambdas/adapters/aws/powertools';

test('a count is published at once as an EMF record in the namespace and with the dimension the alarms watch', () => {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    new PowertoolsMetricsAdapter().count('deadlinesMissed', 2);
  } finally {
    spy.mockRestore();
  }
  const record = JSON.parse(lines.join('').trim().split('\n').pop()!);
  expect(record._aws.CloudWatchMetrics[0]).toMatchObject({
    Namespace: 'SecurityIntake',
    Dimensions: [['service']],
    Metrics: [{ Name: 'deadlinesMissed', Unit: 'Count' }],
  });
  expect(record.service).toBe('security-intake');
  expect(record.deadlinesMissed).toBe(2);
});
