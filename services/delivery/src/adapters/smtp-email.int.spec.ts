import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../test/smtp-sink.ts';
import { waitFor } from '@govsvc/messaging/wait-for';
import { ChannelError } from '../app/channels.ts';
import { createSmtpEmailSender } from './smtp-email.ts';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.stop());

const sender = () => createSmtpEmailSender({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, from: '北京市政务服务中心 <noreply@zwfw.example>', timeoutMs: 5_000 });

describe('SMTP e-mail channel against a real SMTP server (R-NOTIFY-1)', () => {
  it('R-NOTIFY-1: delivers a Chinese message with a stable Message-ID per notice', async () => {
    const email = sender();
    const result = await email.send({ to: 'zhang@example.cn', subject: '【北京政务服务】办件A-1已受理', text: '您申请的“食品经营许可”已予受理。', idempotencyKey: 'notice-1.email' });
    await waitFor(() => sink.received.some((m) => m.parsed.messageId === '<notice-1.email@zwfw.example>'), 'mail received');
    const mail = sink.received.find((m) => m.parsed.messageId === '<notice-1.email@zwfw.example>')!;
    expect(result.providerMessageId).toBe('<notice-1.email@zwfw.example>');
    expect(mail.to).toEqual(['zhang@example.cn']);
    expect(mail.parsed.subject).toBe('【北京政务服务】办件A-1已受理');
    expect(mail.parsed.text?.trim()).toBe('您申请的“食品经营许可”已予受理。');
    await email.close?.();
  });

  it('R-NOTIFY-1: a 4xx answer is a temporary failure, a 5xx refusal a permanent one', async () => {
    const email = sender();
    sink.tempFail(1);
    const temporary = await email.send({ to: 'li@example.cn', subject: 's', text: 't', idempotencyKey: 'n-2.email' }).catch((e: unknown) => e);
    expect(temporary).toBeInstanceOf(ChannelError);
    expect((temporary as ChannelError).permanent).toBe(false);
    const refused = await email.send({ to: 'nobody@refused.example', subject: 's', text: 't', idempotencyKey: 'n-3.email' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChannelError);
    expect((refused as ChannelError).permanent).toBe(true);
    await email.close?.();
  });

  it('R-NOTIFY-1: an unreachable server is a temporary failure', async () => {
    const email = createSmtpEmailSender({ host: '127.0.0.1', port: 1, secure: false, from: 'x@y.example', timeoutMs: 1_000 });
    const error = await email.send({ to: 'a@b.example', subject: 's', text: 't', idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(false);
  });
});
