/* global process, Buffer */
// A real SMTP server (the smtp-server package) in its own process, for the
// delivery tests: it accepts mail and reports each received message, raw, to
// the parent over IPC. It can be told to answer the next RCPT TOs with a
// temporary failure (451), all of them or those of one address only, and refuses any recipient at
// @refused.example (550).
import { SMTPServer } from 'smtp-server';

let tempFailures = 0;
let tempFailAddress = null;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address, _session, callback) {
    if (address.address.endsWith('@refused.example')) {
      return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
    }
    if (tempFailures > 0 && (tempFailAddress === null || tempFailAddress === address.address)) {
      tempFailures--;
      return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
    }
    return callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      process.send?.({ type: 'message', raw: Buffer.concat(chunks).toString('base64'), to: session.envelope.rcptTo.map((r) => r.address) });
      callback();
    });
  },
});

process.on('message', (message) => {
  if (message?.type === 'temp-fail') {
    tempFailures = message.count;
    tempFailAddress = message.address ?? null;
  }
});
process.on('disconnect', () => server.close(() => process.exit(0)));
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'listening', port: server.server.address().port }));
