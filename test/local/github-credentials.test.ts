/** The local stack's GitHub: its own stand-in by default, or the operator's credentials file (issue 14). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../lambdas/local/stack';

const config = join(__dirname, '../../examples/bases.json');

test('by default the stack runs the stand-in and writes its token (0600); own credentials replace the stand-in', async () => {
  const data = await mkdtemp(join(tmpdir(), 'secintake-ghc-'));
  try {
    let stack = await startLocalStack({ config, data, listen: false, resume: false, frozenClock: true });
    try {
      expect(stack.github).toBeDefined();
      expect(stack.deps.github).toBeDefined();
      const written = JSON.parse(await readFile(join(data, 'github-credentials.json'), 'utf8'));
      expect(written).toEqual({ token: stack.github!.token, baseUrl: stack.github!.baseUrl });
    } finally {
      await stack.close();
    }
    // an operator's own token for a GitHub Enterprise (nothing is called: no step is due)
    await writeFile(join(data, 'github-credentials.json'), JSON.stringify({ token: 'ghp_own', baseUrl: 'https://ghe.example/api/v3' }));
    stack = await startLocalStack({ config, data, listen: false, resume: false, frozenClock: true });
    try {
      expect(stack.github).toBeUndefined();
      expect(stack.deps.github).toBeDefined();
      expect(JSON.parse(await readFile(join(data, 'github-credentials.json'), 'utf8'))).toEqual({ token: 'ghp_own', baseUrl: 'https://ghe.example/api/v3' });
    } finally {
      await stack.close();
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
