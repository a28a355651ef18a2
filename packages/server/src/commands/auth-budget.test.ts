import { describe, expect, it } from 'vitest';
import { AUTH_FAILURE_BUDGET_ENV, parseAuthFailureBudget } from './auth-budget.js';

describe('--auth-failure-budget', () => {
  it('reads <max>/<seconds>, "off", or nothing (the default)', () => {
    expect(parseAuthFailureBudget('20/60', {})).toEqual({ max: 20, windowMs: 60_000 });
    expect(parseAuthFailureBudget(' 5 / 1 ', {})).toEqual({ max: 5, windowMs: 1000 });
    expect(parseAuthFailureBudget('OFF', {})).toBe(false);
    expect(parseAuthFailureBudget(undefined, {})).toBeUndefined();
  });

  it('takes the environment when the flag is absent, the flag when both are given', () => {
    expect(parseAuthFailureBudget(undefined, { [AUTH_FAILURE_BUDGET_ENV]: '3/10' })).toEqual({ max: 3, windowMs: 10_000 });
    expect(parseAuthFailureBudget('off', { [AUTH_FAILURE_BUDGET_ENV]: '3/10' })).toBe(false);
    expect(parseAuthFailureBudget(undefined, { [AUTH_FAILURE_BUDGET_ENV]: ' ' })).toBeUndefined();
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['0/60', '20/0', '20', '/60', '-1/60', '1.5/60', 'many/60', '']) {
      expect(() => parseAuthFailureBudget(bad, {}), bad).toThrow(/--auth-failure-budget/);
    }
  });
});

describe('codika-server start reads the budget', () => {
  it('from the flag, else the environment, else leaves the default to the server', async () => {
    const { parseStartOptions } = await import('./start.js');
    expect(parseStartOptions({ authFailureBudget: '5/30' }, {}).authFailureBudget).toEqual({ max: 5, windowMs: 30_000 });
    expect(parseStartOptions({}, { [AUTH_FAILURE_BUDGET_ENV]: 'off' }).authFailureBudget).toBe(false);
    expect(parseStartOptions({}, {}).authFailureBudget).toBeUndefined();
    expect(() => parseStartOptions({ authFailureBudget: 'lots' }, {})).toThrow(/--auth-failure-budget/);
  });
});
