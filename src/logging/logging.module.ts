import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../config/env.schema';

/**
 * Structured JSON logs with the request id. No personal data: the serializers below keep only the
 * path (never the query string, which may carry search terms), method, status and timing; bodies and
 * headers are never logged, and errors only through loggableError (no driver parameters). Keeping
 * the fields out costs nothing; redacting them afterwards cost a tenth of a GET's CPU.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.LOG_LEVEL,
              genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
              customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
                err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({
                  id: req.id,
                  method: req.method,
                  path: String(req.url).split('?')[0],
                }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
              redact: {
                paths: [
                  'req.headers',
                  'res.headers',
                  '*.civicNo',
                  '*.givenName',
                  '*.familyName',
                  'err.parameters',
                  'err.query',
                ],
                remove: true,
              },
              quietReqLogger: true,
            },
            pino.destination({ fd: config.LOG_STREAM === 'stderr' ? 2 : 1, sync: true }),
          ],
        }),
      ],
    };
  }
}
