// The servers some test files need (PostgreSQL, Redis), named by variables that .ci/run sets on
// machines where they run. Without one the file says what was skipped and how to run it; under
// CI=true that fails instead, so that a CI that lost its server does not pass by skipping.
import { it } from 'vitest';

export function serverFor(variable: string, { server, example, tests }: { server: string; example: string; tests: string }): string | undefined {
  const url = process.env[variable];
  if (url) return url;
  if (['true', '1'].includes(String(process.env.CI).toLowerCase())) {
    it(`has a ${server} server to test on`, () => {
      throw new Error(`CI=true but ${variable} is not set: .ci/run must set it to the machine's ${server} (${example}).`);
    });
  } else {
    const skipped = `skipped: no ${server} (set ${variable}=${example} to run ${tests})`;
    console.warn(skipped);
    it.skip(skipped, () => undefined);
  }
  return undefined;
}
