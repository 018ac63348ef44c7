/**
 * The local mailbox: where e-mail notifications go when no real SMTP server
 * is configured. Each message is one file (`<instant>-<key>.eml`, RFC 5322
 * headers and a UTF-8 body) in a folder of the gitignored data directory, the
 * way a developer's mail catcher would keep it, so "the applicant was
 * notified" can be checked by opening a file.
 *
 * Two doors into the same folder: an in-process `NotificationSender` for the
 * standalone process, and a real SMTP server (`smtp-server`) for the
 * distributed run, whose delivery process speaks SMTP like in production.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { NotificationSender } from '@govsvc/delivery/app/channels';
import type { Clock } from '@govsvc/runtime/clock';

const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
const fileStamp = (instant: Date) => instant.toISOString().replace(/[:.]/g, '-');

/** E-mail written to `dir`; like a provider it deduplicates by idempotency key. */
export function createMailboxSender(dir: string, clock: Clock, from: string): NotificationSender {
  return {
    channel: 'email',
    async send(message) {
      await mkdir(dir, { recursive: true });
      const existing = (await readdir(dir)).find((name) => name.endsWith(`-${safe(message.idempotencyKey)}.eml`));
      if (existing) return { providerMessageId: `mailbox:${existing}` };
      const now = clock.now();
      const name = `${fileStamp(now)}-${safe(message.idempotencyKey)}.eml`;
      const headers = [
        `From: ${from}`,
        `To: ${message.to}`,
        `Subject: =?UTF-8?B?${Buffer.from(message.subject, 'utf8').toString('base64')}?=`,
        `Date: ${now.toUTCString()}`,
        `Message-ID: <${safe(message.idempotencyKey)}@govsvc.local>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
      ];
      await writeFile(join(dir, name), `${headers.join('\r\n')}\r\n\r\n${message.text}\r\n`, { mode: 0o600 });
      return { providerMessageId: `mailbox:${name}` };
    },
  };
}

/** The mailbox's messages, oldest first (tests, the demo's story). */
export async function listMailbox(dir: string): Promise<{ file: string; text: string }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return Promise.all(names.map(async (file) => ({ file, text: await readFile(join(dir, file), 'utf8') })));
}

export interface SmtpMailbox {
  readonly port: number;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 that files every message it accepts into `dir`. */
export async function startSmtpMailbox(options: { readonly dir: string; readonly port: number }): Promise<SmtpMailbox> {
  await mkdir(options.dir, { recursive: true });
  let sequence = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const name = `${fileStamp(new Date())}-smtp-${process.pid}-${++sequence}.eml`;
        writeFile(join(options.dir, name), Buffer.concat(chunks), { mode: 0o600 }).then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
