import type { FastifyReply } from 'fastify';
import { attachment, ReportFile } from './pattern-csv';

/** Answers a report file as a download, never cached (it comes from survivors' cases). */
export function sendFile(reply: FastifyReply, file: ReportFile): Buffer {
  void reply
    .header('content-type', file.contentType)
    .header('content-disposition', attachment(file.filename))
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff');
  return file.content;
}
