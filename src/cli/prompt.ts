/**
 * Questions to the user on a terminal (key passphrases, sudo passwords, confirmations). Secrets are read with
 * echo off. Without a terminal there is no prompt at all, so nothing ever waits for input in CI.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export type Prompt = (question: string, secret: boolean) => Promise<string>;

export function terminalPrompt(): Prompt | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return (question, secret) =>
    new Promise((resolve) => {
      let muted = false;
      const output = new Writable({
        write(chunk, _encoding, done) {
          if (!muted) process.stderr.write(chunk);
          done();
        },
      });
      const rl = createInterface({ input: process.stdin, output, terminal: true });
      rl.question(question, (answer) => {
        rl.close();
        if (secret) process.stderr.write('\n');
        resolve(answer);
      });
      muted = secret;
    });
}
