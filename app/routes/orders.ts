// Orders and the catalogue. Transitions answer 200 with the order, 404 for an unknown order,
// 409 {error:"illegal_transition"} when the order's status does not allow the action.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { createOrderSchema, parseBody, parseId } from '../http/validation.ts';
import type { CreateOrderResult, TransitionResult } from '../db/orders-repository.ts';

export function productsRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.get('/', async (_req, res) => {
    ctx.requireSchema();
    res.json(await ctx.products.list());
  });
  return r;
}

function createdOrThrow(ctx: AppContext, result: CreateOrderResult, userId: number, productId: number) {
  if (!result.ok) throw result.missing === 'user' ? notFound('user', userId) : notFound('product', productId);
  ctx.metrics.orderTransitions.inc({ from: 'none', to: 'pending' });
  return result.order;
}

function transitionedOrThrow(ctx: AppContext, result: TransitionResult, id: number, action: string) {
  if (result.ok) {
    ctx.metrics.orderTransitions.inc({ from: result.from, to: result.order.status });
    return result.order;
  }
  if (result.reason === 'not_found') throw notFound('order', id);
  throw new HttpError(409, 'illegal_transition', `cannot ${action} order ${id} in status ${result.current}`);
}

export function ordersRouter(ctx: AppContext): Router {
  const r = newRouter();
  let productIds: number[] = [];

  r.post('/create', ctx.idempotent, async (req, res) => {
    const input = parseBody(createOrderSchema, req.body);
    ctx.requireSchema();
    const result = await ctx.orders.create(input.userId, input.productId, input.quantity);
    res.status(201).json(createdOrThrow(ctx, result, input.userId, input.productId));
  });

  // The seed's shortcut: an order for a user with a product and quantity picked at random.
  r.post('/create/:userId', ctx.idempotent, async (req, res) => {
    const userId = parseId(req.params.userId, 'user');
    ctx.requireSchema();
    if (productIds.length === 0) productIds = await ctx.orders.productIds();
    const productId = productIds[Math.floor(Math.random() * productIds.length)] ?? 1;
    const quantity = 1 + Math.floor(Math.random() * 3);
    const result = await ctx.orders.create(userId, productId, quantity);
    res.status(201).json(createdOrThrow(ctx, result, userId, productId));
  });

  for (const action of ['validate', 'process', 'cancel'] as const) {
    r.post(`/${action}/:id`, ctx.idempotent, async (req, res) => {
      const id = parseId(req.params.id, 'order');
      ctx.requireSchema();
      res.json(transitionedOrThrow(ctx, await ctx.orders.transition(id, action), id, action));
    });
  }

  r.get('/:id', async (req, res) => {
    const id = parseId(req.params.id, 'order');
    ctx.requireSchema();
    const order = await ctx.orders.get(id);
    if (order === undefined) throw notFound('order', id);
    res.json(order);
  });

  return r;
}
