import { Global, Injectable, Module, type CallHandler, type DynamicModule, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { MsgHdrs } from '@nats-io/transport-node';
import { Observable } from 'rxjs';
import { ServiceMetrics } from './metrics.js';
import { incomingRequest } from './bus.js';
import { withRequest } from './request-context.js';
import { endSpan, SpanKind, startSpan, withSpan } from './tracing.js';

/**
 * Handlers of the NestJS transport (`@MessagePattern`) run inside the asking request's context: its
 * `x-request-id` and trace context come from the NATS message's headers (ObservedClientNats put them
 * there), so their log lines name the request and their spans join its trace.
 */
@Injectable()
export class BusRequestContextInterceptor implements NestInterceptor {
  constructor(private readonly metrics: ServiceMetrics) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'rpc') return next.handle();
    const natsContext = ctx.switchToRpc().getContext<{ getHeaders?: () => MsgHdrs | undefined; getSubject?: () => string }>();
    const headers = natsContext?.getHeaders?.();
    const subject = natsContext?.getSubject?.() ?? 'rpc';
    const origin = incomingRequest(headers);
    const span = startSpan(this.metrics.service, `${subject} handle`, SpanKind.SERVER, { 'messaging.system': 'nats', 'messaging.destination.name': subject }, origin.trace);
    return new Observable((subscriber) =>
      withRequest(origin.context, () =>
        withSpan(span, () =>
          next.handle().subscribe({
            next: (value) => subscriber.next(value),
            error: (err: unknown) => {
              endSpan(span, 'failed');
              subscriber.error(err);
            },
            complete: () => {
              endSpan(span);
              subscriber.complete();
            },
          }),
        ),
      ),
    );
  }
}

/** The service's metrics registry and the bus handlers' request context, for every module of the service. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(metrics: ServiceMetrics): DynamicModule {
    return {
      module: ObservabilityModule,
      providers: [{ provide: ServiceMetrics, useValue: metrics }, { provide: APP_INTERCEPTOR, useClass: BusRequestContextInterceptor }],
      exports: [ServiceMetrics],
    };
  }
}
