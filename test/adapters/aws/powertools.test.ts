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

function emitted(act: () => void): Array<Record<string, any>> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return lines.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('a figure is its own EMF record with the project (and promise) dimensions, apart from the counts the alarms watch', () => {
  const records = emitted(() => {
    const m = new PowertoolsMetricsAdapter();
    m.figure('promiseTakenMs', 7_200_000, { project: 'calpro', promise: 'acknowledge' });
    m.figure('reportsReceived', 1, { project: 'bizpro', promise: 'ignored: not a dimension of this metric' });
    m.count('received');
  });
  expect(records).toHaveLength(3);
  expect(records[0]._aws.CloudWatchMetrics[0]).toMatchObject({
    Namespace: 'SecurityIntake',
    Dimensions: [['service', 'project', 'promise']],
    Metrics: [{ Name: 'promiseTakenMs', Unit: 'Milliseconds' }],
  });
  expect(records[0]).toMatchObject({ service: 'security-intake', project: 'calpro', promise: 'acknowledge', promiseTakenMs: 7_200_000 });
  expect(records[1]._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service', 'project']], Metrics: [{ Name: 'reportsReceived', Unit: 'Count' }] });
  expect(records[1].promise).toBeUndefined();
  // the deployment-wide count keeps its one dimension: the alarms on it still match
  expect(records[2]._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service']], Metrics: [{ Name: 'received' }] });
  expect(records[2].project).toBeUndefined();
});
