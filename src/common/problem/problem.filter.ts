import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loggableError, mapError } from './error-mapping';
import { PROBLEM_CONTENT_TYPE, problemDocument } from './problem';

/** The one place where errors become RFC 9457 problem+json responses. A 5xx never shows its cause. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    sendProblem(err, request, reply, this.logger);
  }
}

export function sendProblem(
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): void {
  const mapped = mapError(err);
  const correlationId = String(request.id);
  if (mapped.unexpected) {
    logger.error({ err: loggableError(err), reqId: correlationId }, 'unexpected error');
  }
  const instance = request.url.split('?')[0];
  const body = problemDocument(mapped.problem, mapped.code, mapped.detail, {
    instance,
    correlationId,
    errors: mapped.errors,
    extensions: mapped.extensions,
  });
  if (reply.sent) return;
  void reply
    .status(mapped.problem.status)
    .headers(mapped.headers ?? {})
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(body));
}
