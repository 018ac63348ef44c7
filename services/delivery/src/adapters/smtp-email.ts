/**
 * E-mail over SMTP with nodemailer (the only module that imports it). Any
 * SMTP server works: the tests run a real one in a child process. SMTP reply
 * codes decide whether a failure is worth retrying: 5xx is a refusal, 4xx and
 * connection trouble are temporary.
 */
import nodemailer from 'nodemailer';
import { ChannelError, type NotificationSender, type OutgoingNotification } from '../app/channels.ts';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465). STARTTLS is used when the server offers it, unless `ignoreTLS`. */
  readonly secure: boolean;
  readonly ignoreTLS?: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly from: string;
  /** Connection, greeting and socket timeouts: a hung server must not stall the dispatcher. */
  readonly timeoutMs?: number;
}

export function createSmtpEmailSender(options: SmtpOptions): NotificationSender {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    ignoreTLS: options.ignoreTLS ?? false,
    ...(options.user ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  const domain = options.from.split('@')[1]?.replace(/>.*$/, '') ?? 'govsvc.local';
  return {
    channel: 'email',
    async send(message: OutgoingNotification) {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          // The same notice re-sent after a crash carries the same Message-ID, so mail systems can tell it is one message.
          messageId: `<${message.idempotencyKey}@${domain}>`,
        });
        if (info.rejected.length > 0) throw new ChannelError(`the server refused the recipient: ${info.response}`, true);
        return { providerMessageId: info.messageId };
      } catch (error) {
        if (error instanceof ChannelError) throw error;
        const code = (error as { responseCode?: number }).responseCode;
        const text = error instanceof Error ? error.message : String(error);
        throw new ChannelError(`smtp: ${text}`.slice(0, 400), code !== undefined && code >= 500 && code < 600);
      }
    },
    async close() {
      transport.close();
    },
  };
}
