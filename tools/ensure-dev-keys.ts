/** Creates the local development signing key and JWKS under STACK_DIR/auth if they are missing. */
import { devKeyPaths, ensureDevKeys } from './dev-token-keys';

const stackDir = process.env.STACK_DIR;
if (!stackDir) {
  console.error('STACK_DIR is not set: run through npm');
  process.exit(1);
}
ensureDevKeys(stackDir).then(
  () => console.log(`development token keys: ${devKeyPaths(stackDir).jwks}`),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
