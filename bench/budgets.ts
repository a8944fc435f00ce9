/**
 * The performance budgets of issue 16, one row each, printed at the end of `npm run bench` with the figure
 * measured in this run and a pass/fail mark. A section not run leaves its rows "not run".
 */
export interface BudgetRow {
  what: string;
  budget: string;
  /** The figure as printed, or undefined when its section did not run. */
  now?: string;
  /** undefined: no mark (a figure printed for information, or not run). */
  pass?: boolean;
}

export const BUDGETS = {
  bundle: 'intake Lambda bundle, minified (index.js loaded at cold start)',
  bundleLoad: 'bundle load + handler init in a fresh Node / bare mailparser + the SDK clients',
  largeRatio: '>= 2 MB messages, intake / bare parse',
  ownCpu: 'our own code per small message (parse + classify + plan, store excluded), CPU p99',
  ownCpuWhole: 'whole receiveMail per small message (in-memory store, both mails MIME-composed), CPU p99',
  requests: 'DynamoDB requests per new report incl. receipt and notice',
  transitions: 'state transitions, whole bases scenario',
  idle: 'state transitions of an idle open report per 7 days',
  burst: '1,000 messages over SMTP to `npm start` (50 connections)',
  cost: 'modelled AWS cost per 1,000 reports (bases scenario)',
} as const;

const BUDGET_TEXT: Record<keyof typeof BUDGETS, string> = {
  bundle: '<= 1.3 MB',
  bundleLoad: '<= 1.2x',
  largeRatio: '>= 0.70',
  ownCpu: '<= 2 ms',
  ownCpuWhole: '(info)',
  requests: '<= 2 reads + 5 writes',
  transitions: '<= 30',
  idle: '<= 3',
  burst: '0 lost, 1 receipt each',
  cost: 'printed',
};

const rows = new Map<keyof typeof BUDGETS, BudgetRow>();

export function record(key: keyof typeof BUDGETS, now: string, pass?: boolean): void {
  rows.set(key, { what: BUDGETS[key], budget: BUDGET_TEXT[key], now, pass });
}

export function printBudgets(): void {
  const all = (Object.keys(BUDGETS) as (keyof typeof BUDGETS)[]).map((k) => rows.get(k) ?? { what: BUDGETS[k], budget: BUDGET_TEXT[k] });
  const w = Math.max(...all.map((r) => r.what.length));
  const n = Math.max(...all.map((r) => (r.now ?? 'not run').length), 3);
  const b = Math.max(...all.map((r) => r.budget.length));
  console.log('\nbudgets (issue 16)');
  console.log(`${'what'.padEnd(w)}  ${'now'.padEnd(n)}  ${'budget'.padEnd(b)}  mark`);
  for (const r of all) {
    const mark = r.now === undefined ? '-' : r.pass === undefined ? 'info' : r.pass ? 'PASS' : 'FAIL';
    console.log(`${r.what.padEnd(w)}  ${(r.now ?? 'not run').padEnd(n)}  ${r.budget.padEnd(b)}  ${mark}`);
  }
}
