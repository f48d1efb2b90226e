// Payments: {status} forces the outcome; without it the outcome is drawn with
// PAYMENT_SUCCESS_RATIO; the paymentFailure fault flag fails its share of payments whatever
// the client asked for. The order must be in `processing` (else 409, nothing written).
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../../shared/web/http-error.ts';
import { isEmptyBody, parseBody, parseId, paymentSchema } from '../http/validation.ts';
import { processPayment } from '../db/payments-repository.ts';

export function paymentsRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.post(
    '/process/:orderId',
    ctx.write('payments.process', (req) => {
      const orderId = parseId(req.params.orderId, 'order');
      const input = isEmptyBody(req.body) ? {} : parseBody(paymentSchema, req.body);
      const outcome = ctx.forcedPaymentFailure() ? 'failed' : input.status ?? ctx.drawPaymentOutcome();
      return async (tx) => {
        const result = await processPayment(tx, orderId, outcome);
        if (!result.ok) {
          if (result.reason === 'not_found') throw notFound('order', orderId);
          throw new HttpError(409, 'illegal_transition', `cannot pay order ${orderId} in status ${result.current} (must be processing)`);
        }
        return {
          status: 200,
          body: { payment: result.payment, order: result.order },
          onCommit: () => {
            ctx.metrics.orderTransitions.inc({ from: 'processing', to: result.order.status });
            ctx.metrics.payments.inc({ outcome });
            if (outcome === 'success') {
              ctx.metrics.revenue.inc(result.payment.amount);
              ctx.outboxWritten();
            }
          },
        };
      };
    }),
  );
  return r;
}
