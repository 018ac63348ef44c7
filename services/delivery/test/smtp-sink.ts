/**
 * Starts `smtp-sink.mjs` (a real SMTP server) in a child process and reads
 * what it received, parsed with mailparser as any mail client would.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  readonly to: readonly string[];
  readonly parsed: ParsedMail;
}

export interface SmtpSink {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Answers the next `count` recipients (of `address` only, when given) with 451 (temporary failure). */
  tempFail(count: number, address?: string): void;
  stop(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./smtp-sink.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const received: ReceivedMail[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`smtp sink exited with ${code}`)));
    child.on('message', (message: { type: string; port?: number; raw?: string; to?: string[] }) => {
      if (message.type === 'listening') resolve(message.port!);
      if (message.type === 'message') {
        void simpleParser(Buffer.from(message.raw!, 'base64')).then((parsed) => received.push({ to: message.to ?? [], parsed }));
      }
    });
  });
  return {
    port,
    received,
    tempFail: (count, address) => void child.send({ type: 'temp-fail', count, ...(address !== undefined && { address }) }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
        setTimeout(() => child.kill(), 2_000).unref();
      }),
  };
}
