import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config';
import { DeliveryError } from './delivery-error';
import { EmailMessage } from './notification-message';

/** SMTP through nodemailer (SMTP_URL, SMTP_FROM); one transport per process, made on first use. */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private transport?: Transporter;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.smtp !== undefined;
  }

  /**
   * Sends one message. A failure is rethrown with nodemailer's code and the server's reply code
   * only: its messages can quote the recipient's address.
   */
  async send(to: string, message: EmailMessage, key: string): Promise<void> {
    const smtp = this.config.smtp;
    if (!smtp) throw new Error('SMTP is not configured');
    this.transport ??= createTransport({
      url: smtp.url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    try {
      await this.transport.sendMail({
        from: smtp.from,
        to,
        subject: message.subject,
        text: message.text,
        headers: { 'X-Escalation-Delivery': key },
      });
    } catch (error) {
      // Not attached as `cause`: its message may quote the recipient's address.
      throw new DeliveryError(`SMTP delivery failed: ${describeSmtpError(error)}`);
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}

function describeSmtpError(error: unknown): string {
  const e = error as { code?: unknown; responseCode?: unknown };
  const code = typeof e?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.code) ? e.code : 'error';
  return typeof e?.responseCode === 'number' ? `${code} (${e.responseCode})` : code;
}
