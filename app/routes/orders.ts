// Orders. Transitions answer 200 with the order, 404 for an unknown order,
// 409 {error:"illegal_transition"} when the order's status does not allow the action.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../../shared/web/http-error.ts';
import { createOrderSchema, parseBody, parseId } from '../http/validation.ts';
import { createOrder, productIds as catalogueIds, transitionOrder, type CreateOrderResult, type TransitionResult } from '../db/orders-repository.ts';
import type { Answer } from '../http/idempotency.ts';
import { failIfCatalogDown } from '../flags/fault-errors.ts';

function created(ctx: AppContext, result: CreateOrderResult, userId: number, productId: number): Answer {
  if (!result.ok) throw result.missing === 'user' ? notFound('user', userId) : notFound('product', productId);
  return { status: 201, body: result.order, onCommit: () => ctx.metrics.orderTransitions.inc({ from: 'none', to: 'pending' }) };
}

function transitioned(ctx: AppContext, result: TransitionResult, id: number, action: string): Answer {
  if (result.ok) return { status: 200, body: result.order, onCommit: () => ctx.metrics.orderTransitions.inc({ from: result.from, to: result.order.status }) };
  if (result.reason === 'not_found') throw notFound('order', id);
  throw new HttpError(409, 'illegal_transition', `cannot ${action} order ${id} in status ${result.current}`);
}

export function ordersRouter(ctx: AppContext): Router {
  const r = newRouter();
  let productIds: number[] = [];

  r.post(
    '/create',
    ctx.write('orders.create', (req) => {
      failIfCatalogDown(ctx);
      const input = parseBody(createOrderSchema, req.body);
      return async (tx) => created(ctx, await createOrder(tx, input.userId, input.productId, input.quantity), input.userId, input.productId);
    }),
  );

  // The seed's shortcut: an order for a user with a product and quantity picked at random.
  r.post(
    '/create/:userId',
    ctx.write('orders.create', (req) => {
      failIfCatalogDown(ctx);
      const userId = parseId(req.params.userId, 'user');
      const quantity = 1 + Math.floor(Math.random() * 3);
      const pick = Math.random();
      return async (tx) => {
        if (productIds.length === 0) productIds = await catalogueIds(tx);
        const productId = productIds[Math.floor(pick * productIds.length)] ?? 1;
        return created(ctx, await createOrder(tx, userId, productId, quantity), userId, productId);
      };
    }),
  );

  for (const action of ['validate', 'process', 'cancel'] as const) {
    r.post(
      `/${action}/:id`,
      ctx.write('orders.transition', (req) => {
        const id = parseId(req.params.id, 'order');
        return async (tx) => transitioned(ctx, await transitionOrder(tx, id, action), id, action);
      }),
    );
  }

  r.get('/:id', async (req, res) => {
    const id = parseId(req.params.id, 'order');
    ctx.requireSchema();
    const order = await ctx.orders.get(id);
    if (order === undefined) throw notFound('order', id);
    res.json({ ...order, fulfilment: await ctx.orders.fulfilment(order) });
  });

  return r;
}
