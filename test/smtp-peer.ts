/** A real SMTP server on 127.0.0.1 for the tests that send e-mail: it keeps every message, parsed. */
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface SmtpPeer {
  /** smtp://127.0.0.1:PORT */
  url: string;
  /** Every message received, in order. */
  mails: ParsedMail[];
  close(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const mails: ParsedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        mails.push(m);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((r) => smtp.close(() => r())),
  };
}
