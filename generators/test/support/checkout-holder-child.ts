// Holds the writer lock of the checkout at argv[2], as a command that writes it would, until a
// line comes on standard input (or the test kills it). Prints `holding` once it holds it.
import { withCheckoutAccess } from '../../src/checkout-lock.js';

await withCheckoutAccess(process.argv[2]!, 'writes', { command: 'holder (test)', signal: new AbortController().signal, log: (line) => process.stderr.write(`${line}\n`) }, async () => {
  process.stdout.write('holding\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
});
process.stdin.destroy();
